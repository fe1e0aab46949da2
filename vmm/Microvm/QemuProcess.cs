using System.Globalization;
using System.Runtime.InteropServices;
using Vmm.Network;

namespace Vmm.Microvm;

/// <summary>
/// A daemonized QEMU known by its pid and pid file. Every signal is sent only after checking that
/// the pid still belongs to a QEMU started with this pid file, so a recycled pid is never killed.
/// </summary>
internal static partial class QemuProcess
{
    /// <summary>The line the guest agent prints on the console once it listens.</summary>
    public const string ReadyMarker = "vmm-agent: ready";

    private const int SigKill = 9;
    private const int SigTerm = 15;
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Starts QEMU; returns its pid once it has daemonized (devices set up, guest starting).</summary>
    public static async Task<int> StartAsync(IReadOnlyList<string> arguments, VmFiles files, CancellationToken cancellation)
    {
        File.Delete(files.PidFile);
        File.Delete(files.ConsoleLog);
        File.Delete(files.AgentSocket);
        (int exit, _, string stderr) = await HostCommand.TryRunAsync(QemuCommandLine.Binary, arguments, cancellation: cancellation).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new HostCommandException($"{QemuCommandLine.Binary} failed to start ({exit}): {stderr.Trim()}");
        }

        string text = File.Exists(files.PidFile) ? (await File.ReadAllTextAsync(files.PidFile, cancellation).ConfigureAwait(false)).Trim() : string.Empty;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
        {
            throw new HostCommandException($"{QemuCommandLine.Binary} started but wrote no pid to {files.PidFile}");
        }

        return pid;
    }

    /// <summary>
    /// Waits for the agent's ready line on the console. Returns null when it came, or why not: QEMU
    /// exited, or <paramref name="timeout"/> passed (the end of the console log says how far it got).
    /// </summary>
    public static async Task<string?> WaitReadyAsync(int pid, VmFiles files, TimeSpan timeout, CancellationToken cancellation)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (ConsoleSays(files.ConsoleLog, ReadyMarker))
            {
                return null;
            }

            if (!IsAlive(pid, files.PidFile))
            {
                return "QEMU exited during boot; console: " + ConsoleTail(files.ConsoleLog);
            }

            if (Environment.TickCount64 >= deadline)
            {
                return $"the guest agent was not ready within {timeout.TotalSeconds:0} s; console: " + ConsoleTail(files.ConsoleLog);
            }

            await Task.Delay(s_pollInterval, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>True while <paramref name="pid"/> is a QEMU started with <paramref name="pidFile"/>.</summary>
    public static bool IsAlive(int pid, string pidFile)
    {
        string cmdline;
        try
        {
            cmdline = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Arguments are NUL-separated; a zombie has an empty command line and counts as gone.
        return cmdline.Contains("\0-pidfile\0" + pidFile + "\0", StringComparison.Ordinal);
    }

    /// <summary>SIGTERM, then SIGKILL if QEMU is still there after a few seconds; nothing to do when it is gone.</summary>
    public static async Task StopAsync(int pid, string pidFile)
    {
        foreach (int signal in (int[])[SigTerm, SigKill])
        {
            if (!IsAlive(pid, pidFile))
            {
                return;
            }

            _ = Kill(pid, signal);
            long deadline = Environment.TickCount64 + (long)s_stopTimeout.TotalMilliseconds;
            while (IsAlive(pid, pidFile) && Environment.TickCount64 < deadline)
            {
                await Task.Delay(s_pollInterval).ConfigureAwait(false);
            }
        }

        if (IsAlive(pid, pidFile))
        {
            throw new HostCommandException($"QEMU (pid {pid}) survived SIGKILL");
        }
    }

    private static bool ConsoleSays(string consoleLog, string marker)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(consoleLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith(marker, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (FileNotFoundException)
        {
            // QEMU has not created it yet.
        }

        return false;
    }

    /// <summary>The last lines of the console, on one line, for an error message.</summary>
    public static string ConsoleTail(string consoleLog)
    {
        try
        {
            using var stream = new FileStream(consoleLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - 600), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            string tail = reader.ReadToEnd().Trim();
            return tail.Length == 0 ? "(empty)" : tail.ReplaceLineEndings(" | ");
        }
        catch (FileNotFoundException)
        {
            return "(no console log)";
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
