using System.Diagnostics;

namespace Vmm.Tests;

/// <summary>Runs a real program (vmm, ip, nft, curl, dig) to completion, bounded in time.</summary>
internal static class Tool
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
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
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', start.ArgumentList)}` did not finish within {Timeout.TotalSeconds:0}s");
        }

        return new ToolResult(file + " " + string.Join(' ', start.ArgumentList), process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>What a program did.</summary>
internal sealed record ToolResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public ToolResult AssertSuccess()
    {
        Assert.True(ExitCode == 0, ToString());
        return this;
    }

    public ToolResult AssertFailed()
    {
        Assert.True(ExitCode != 0, "expected a failure: " + ToString());
        return this;
    }

    public override string ToString() => $"`{CommandLine}` exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
