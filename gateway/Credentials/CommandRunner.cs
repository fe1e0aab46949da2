using System.Diagnostics;
using System.Text;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// Runs a <c>command</c> source: the argv as written (no shell, no PATH search), stdin empty,
/// stdout read up to a bound and trimmed, stderr drained and dropped (a CLI may print the secret or
/// its own debugging there), killed with its children when it runs past <c>timeout</c>.
/// </summary>
internal static class CommandRunner
{
    // A token, key or JSON document; anything larger is not a credential.
    private const int MaxOutput = 64 * 1024;

    /// <summary>The command's trimmed output, or a failure saying what went wrong (exit code, timeout), never what it printed.</summary>
    public static async Task<(string? Value, string? Failure)> RunAsync(KitCommand command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command.Argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        for (int i = 1; i < command.Argv.Length; i++)
        {
            start.ArgumentList.Add(command.Argv[i]);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, $"the command {command.Argv[0]} could not be started ({e.Message})");
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(command.Timeout);
        Task drainErrors = process.StandardError.BaseStream.CopyToAsync(Stream.Null, timeout.Token);
        var output = new char[MaxOutput + 1];
        int length = 0;
        string text;
        try
        {
            int read;
            while (length <= MaxOutput && (read = await process.StandardOutput.ReadAsync(output.AsMemory(length), timeout.Token).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > MaxOutput)
            {
                Kill(process);
                return (null, $"the command {command.Argv[0]} printed more than {MaxOutput / 1024} KiB; a credential is one value");
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await drainErrors.ConfigureAwait(false);
            text = new string(output, 0, length);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            return (null, cancellationToken.IsCancellationRequested
                ? $"the command {command.Argv[0]} was abandoned"
                : $"the command {command.Argv[0]} did not finish within {command.Timeout.TotalSeconds:0.###} s and was killed");
        }
        finally
        {
            Array.Clear(output);
        }

        if (process.ExitCode != 0)
        {
            return (null, $"the command {command.Argv[0]} exited with code {process.ExitCode} (its output is not shown)");
        }

        string value = text.Trim();
        return value.Length == 0 ? (null, $"the command {command.Argv[0]} printed nothing") : (value, null);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }
}
