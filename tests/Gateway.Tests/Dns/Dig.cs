using System.Diagnostics;

namespace Gateway.Tests.Dns;

/// <summary>The real dig client (bind9-dnsutils), run with a timeout.</summary>
internal static class Dig
{
    private static readonly string? s_path = Find();

    public static bool IsInstalled => s_path is not null;

    public static async Task<(int Exit, string Output)> RunAsync(string arguments)
    {
        var start = new ProcessStartInfo(s_path!, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(cancel.Token);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output + await error);
    }

    private static string? Find()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = Path.Combine(directory, "dig");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
