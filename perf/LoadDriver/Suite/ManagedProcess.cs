using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace LoadDriver.Suite;

/// <summary>
/// A peer, the gateway or the origin, started by the suite pinned to one core
/// (<c>taskset</c> execs the program, so the PID is the program's), its output in a log file,
/// and stopped by that PID: SIGTERM, then SIGKILL after a bounded wait, then SIGKILL to any
/// descendant still alive. Nothing is ever stopped by name.
/// </summary>
internal sealed partial class ManagedProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process _process;
    private bool _stopped;

    private ManagedProcess(string name, Process process, string log)
    {
        Name = name;
        _process = process;
        Log = log;
    }

    /// <summary>Short name for logs and the report.</summary>
    public string Name { get; }

    /// <summary>Process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Where stdout and stderr go.</summary>
    public string Log { get; }

    /// <summary>True while the process runs.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>Starts <paramref name="program"/> on CPU <paramref name="core"/> with its output appended to <paramref name="log"/>.</summary>
    public static ManagedProcess Start(string name, string core, string log, IReadOnlyDictionary<string, string>? environment, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };

        // exec twice (sh → taskset → program): the PID we hold is the program's own.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec taskset -c \"$0\" \"$@\" >>\"$LOADDRIVER_LOG\" 2>&1");
        start.ArgumentList.Add(core);
        start.ArgumentList.Add(program);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LOADDRIVER_LOG"] = log;
        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        return new ManagedProcess(name, process, log);
    }

    /// <summary>Waits until <paramref name="port"/> on 127.0.0.1 accepts, the process exits, or <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitForPortAsync(int port, TimeSpan timeout)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && Running)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        return false;
    }

    /// <summary>The last lines of the log, for an error message.</summary>
    public string Tail()
    {
        try
        {
            string[] lines = File.ReadAllLines(Log);
            return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 3)));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Stops the process tree by PID: SIGTERM, up to <paramref name="grace"/>, then SIGKILL.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        List<int> tree = Running ? ProcessTree.Members(Pid) : [];
        if (Running)
        {
            _ = Kill(Pid, SigTerm);
            if (!_process.WaitForExit(grace))
            {
                _ = Kill(Pid, SigKill);
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }

        foreach (int pid in tree)
        {
            if (pid != Pid && File.Exists($"/proc/{pid}/stat"))
            {
                _ = Kill(pid, SigKill);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
