using System.Diagnostics;
using System.Globalization;

namespace Gateway.Tests.Interception;

/// <summary>
/// A TLS client that keeps its session between connections and says whether the server resumed
/// it: Python's <c>ssl</c> module (OpenSSL, like curl), one process for the client's lifetime
/// since an <c>SSLSession</c> lives only in its process. Each <see cref="ConnectAsync"/> is a new
/// connection: CONNECT through the forward proxy from a chosen source address, TLS trusting only
/// the gateway's CA, one GET, close.
/// </summary>
internal sealed class ResumingTlsClient : IAsyncDisposable
{
    private const string Script = """
        import socket, ssl, sys
        proxy, port, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        context = ssl.create_default_context(cafile=cafile)
        context.set_alpn_protocols(["http/1.1"])
        sessions = {}
        for line in sys.stdin:
            source, host, mode = line.split()
            out = "connect="
            try:
                s = socket.create_connection(("127.0.0.1", proxy), timeout=10, source_address=(source, 0))
                s.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    b = s.recv(1)
                    if not b:
                        break
                    head += b
                status = head.split(b" ")[1].decode() if head.count(b" ") else "closed"
                out += status
                if status == "200":
                    t = context.wrap_socket(s, server_hostname=host, session=sessions.get(mode[7:]) if mode.startswith("resume:") else None)
                    t.sendall(f"GET /resume HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
                    data = b""
                    while True:
                        chunk = t.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    out += " resumed=" + str(t.session_reused).lower() + " http=" + (data.split(b" ")[1].decode() if data.count(b" ") else "none")
                    if mode == "keep":
                        sessions[host] = t.session
                    t.close()
                else:
                    s.close()
            except (OSError, ssl.SSLError) as e:
                out += " error=" + type(e).__name__
            print(out, flush=True)
        """;

    private readonly Process _python;

    private ResumingTlsClient(Process python) => _python = python;

    /// <summary>True where python3 is on PATH.</summary>
    public static bool Available => File.Exists("/usr/bin/python3");

    public static ResumingTlsClient Start(int proxyPort, int originPort, string caPath)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["-c", Script, proxyPort.ToString(CultureInfo.InvariantCulture), originPort.ToString(CultureInfo.InvariantCulture), caPath])
        {
            start.ArgumentList.Add(argument);
        }

        return new ResumingTlsClient(Process.Start(start)!);
    }

    /// <summary>
    /// One connection from <paramref name="source"/> to <paramref name="host"/>: <c>keep</c> stores its
    /// session as that host's, <c>resume:HOST</c> offers the one stored for HOST, <c>new</c> offers none. Returns e.g.
    /// <c>connect=200 resumed=true http=200</c>, <c>connect=403</c>.
    /// </summary>
    public async Task<string> ConnectAsync(string source, string host, string mode)
    {
        await _python.StandardInput.WriteLineAsync($"{source} {host} {mode}");
        await _python.StandardInput.FlushAsync();
        string? line = await _python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return line ?? "python exited: " + await _python.StandardError.ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _python.StandardInput.Close();
        if (!_python.WaitForExit(10_000))
        {
            _python.Kill();
        }

        await _python.WaitForExitAsync();
        _python.Dispose();
    }
}
