using System.Diagnostics;
using System.Text;

namespace Vmm.Network;

/// <summary>Runs ip, nft and friends to completion, bounded in time, capturing what they print.</summary>
internal static class HostCommand
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="file"/> and throws <see cref="HostCommandException"/> unless it exits 0.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> args, string? stdin = null, CancellationToken cancellation = default)
    {
        (int exit, string stdout, string stderr) = await TryRunAsync(file, args, stdin, cancellation).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new HostCommandException($"`{file} {string.Join(' ', args)}` failed ({exit}): {stderr.Trim()}");
        }

        return stdout;
    }

    /// <summary>Runs <paramref name="file"/> and returns its exit code and output, whatever it is.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> TryRunAsync(
        string file, IReadOnlyList<string> args, string? stdin = null, CancellationToken cancellation = default)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new HostCommandException($"cannot start {file}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostCommandException($"cannot run {file} ({e.Message}); is it installed?");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellation);
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(s_timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new HostCommandException($"`{file} {string.Join(' ', args)}` did not finish within {s_timeout.TotalSeconds:0}s");
            }

            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
