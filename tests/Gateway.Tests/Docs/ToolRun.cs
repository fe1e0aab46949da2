using System.Diagnostics;

namespace Gateway.Tests.Docs;

/// <summary>What a finished tool printed.</summary>
internal sealed record ToolResult(int Exit, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs a real tool (bash, systemd-analyze, promtool, shellcheck, the gateway) bounded in time; killed when it overstays.</summary>
internal static class ToolRun
{
    public static async Task<ToolResult> RunAsync(
        string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? RepoFiles.Root,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0}s");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The built gateway, as <c>dotnet gateway.dll ARGS</c>.</summary>
    public static Task<ToolResult> GatewayAsync(IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        RunAsync(DotnetHost, [RepoFiles.GatewayDll, .. args], TimeSpan.FromSeconds(60), environment);

    /// <summary>True when <paramref name="file"/> is an executable on PATH (or a path to one).</summary>
    public static bool Exists(string file) =>
        file.Contains('/', StringComparison.Ordinal)
            ? File.Exists(file)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, file)));

    /// <summary>The muxer running these tests, so the gateway runs on the same runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
