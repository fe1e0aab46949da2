using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Dialing;

/// <summary>
/// A real Dante SOCKS5 server (<c>danted</c>) in the foreground on a free loopback port, with
/// its own directory, configuration and log. Disposing stops it and every process it forked.
/// </summary>
internal sealed class Dante : IAsyncDisposable
{
    private const string Executable = "/usr/sbin/danted";

    private readonly Process _process;
    private readonly string _directory;

    private Dante(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>Why Dante tests cannot run here, or null when they can.</summary>
    public static string? MissingReason => File.Exists(Executable) ? null : "needs dante-server (`danted`): apt-get install dante-server";

    public int Port { get; }

    public DnsEndPoint EndPoint => new("127.0.0.1", Port);

    public string LogPath => Path.Combine(_directory, "danted.log");

    /// <summary>Everything Dante logged so far ("" before its first line).</summary>
    public string Log()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    /// <summary>Client connections Dante accepted so far (one "tcp/accept [" line each).</summary>
    public int AcceptedConnections() => CountOf(Log(), "tcp/accept [");

    /// <summary>Starts Dante; with <paramref name="usernameAuth"/> it checks system accounts (RFC 1929), as an operator's would.</summary>
    public static async Task<Dante> StartAsync(bool usernameAuth = false)
    {
        string directory = Directory.CreateTempSubdirectory("gw-dante-").FullName;
        int port = FreePort();
        string config = Path.Combine(directory, "danted.conf");
        // Root drops to nobody per request; without root there is nothing to drop.
        string users = Environment.IsPrivilegedProcess ? "user.privileged: root\nuser.unprivileged: nobody\n" : "";
        await File.WriteAllTextAsync(config, $$"""
            logoutput: {{Path.Combine(directory, "danted.log")}}
            internal: 127.0.0.1 port = {{port}}
            external: lo
            clientmethod: none
            socksmethod: {{(usernameAuth ? "username" : "none")}}
            {{users}}
            client pass {
              from: 127.0.0.0/8 to: 0.0.0.0/0
              log: connect error
            }
            socks pass {
              from: 127.0.0.0/8 to: 0.0.0.0/0
              command: connect
              log: connect disconnect error
            }
            """);

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in (string[])["-f", config, "-N", "1", "-p", Path.Combine(directory, "danted.pid")])
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start)!;
        process.StandardInput.Close();
        var dante = new Dante(process, directory, port);
        try
        {
            await dante.WaitUntilListeningAsync();
            return dante;
        }
        catch
        {
            await dante.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops Dante and every process it forked (it forks about twenty), waiting a bounded time.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a child still closing its log: the temp directory is left behind, nothing else
        }
    }

    /// <summary>Stops Dante now (the port then refuses connections); the log stays readable.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
    }

    internal static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"danted exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()} {Log()}");
            }

            // Listening is read from the kernel's table, not probed: a probe would be a connection in Dante's log.
            if (IsListening(Port))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("danted did not start listening within 15 s: " + Log());
    }

    private static bool IsListening(int port)
    {
        string local = $"0100007F:{port:X4} ";
        foreach (string line in File.ReadLines("/proc/net/tcp"))
        {
            // sl local_address rem_address st: state 0A is LISTEN
            string trimmed = line.TrimStart();
            int at = trimmed.IndexOf(local, StringComparison.Ordinal);
            if (at >= 0 && trimmed.Length > at + local.Length + 14 && trimmed.Substring(at + local.Length + 14, 2) == "0A")
            {
                return true;
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
