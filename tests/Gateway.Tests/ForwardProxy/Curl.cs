using System.Diagnostics;

namespace Gateway.Tests.ForwardProxy;

/// <summary>Runs the real curl client; every run is bounded in time.</summary>
internal static class Curl
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in (string[])["--silent", "--show-error", "--max-time", "60", "--noproxy", "", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        // curl must take the proxy from -x only, never from the test runner's environment.
        foreach (string variable in (string[])["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"])
        {
            start.Environment.Remove(variable);
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
