using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.EndToEnd.Tests;

/// <summary>`gateway run` as an operator starts it: the built executable, a real port, SIGTERM to stop.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Run_ServesTheForwardProxy_AndStopsCleanlyOnSigterm()
    {
        int port = FreePort();
        int metricsPort = FreePort();
        using RunningGateway gateway = GatewayProcess.Start(
            ["--state-dir", _state.Path, "run"],
            new Dictionary<string, string?>
            {
                ["GATEWAY__LISTEN__FORWARD"] = $"127.0.0.1:{port}",
                ["GATEWAY__LISTEN__METRICS"] = $"127.0.0.1:{metricsPort}",
            });
        await WaitUntilListeningAsync(port);

        string response = await ConnectAsync(port, "blocked.example.test:443");
        string ready = await WaitUntilReadyAsync(metricsPort);
        gateway.Terminate();
        GatewayResult result = await gateway.WaitAsync();

        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", response, StringComparison.Ordinal);
        Assert.Contains("X-Gateway-Decision: blocked", response, StringComparison.Ordinal);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"listening: forward proxy on 127.0.0.1:{port}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("listening: admin API on unix:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"listening: metrics on 127.0.0.1:{metricsPort}", result.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", ready, StringComparison.Ordinal);
        Assert.Contains("stopping:", result.Stdout, StringComparison.Ordinal);

        // A default start has nothing to warn about (Kestrel once warned, wrongly, that HTTP/2 was off).
        Assert.DoesNotContain(" WRN ", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_state.Path, "admin.sock")));

        // The decision made before SIGTERM is in the audit log after it.
        string[] audit = await File.ReadAllLinesAsync(Path.Combine(_state.Path, "audit.jsonl"));
        Assert.Contains(audit, line => line.Contains("\"host\":\"blocked.example.test\"", StringComparison.Ordinal)
            && line.Contains("\"decision\":\"blocked\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WithBadConfiguration_NamesEveryProblemAndExitsOne()
    {
        string config = Path.Combine(_state.Root, "gateway.yaml");
        await File.WriteAllTextAsync(config, "listen:\n  forwrd: 127.0.0.1:3129\nlimits:\n  headerTimeout: soon\n");

        GatewayResult run = await _state.RunAsync("run", "--config", config);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [
                $"gateway: {config}:2: listen.forwrd: unknown key; did you mean \"forward\"?",
                $"gateway: {config}:4: limits.headerTimeout: \"soon\" is not a duration; use e.g. 10s, 500ms, 5m",
            ],
            run.StderrLines);
    }

    internal static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task WaitUntilListeningAsync(int port)
    {
        // Generous: a cold .NET start on two busy cores has taken over 30 s.
        long deadline = Environment.TickCount64 + 90_000;
        while (Environment.TickCount64 < deadline)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"gateway did not listen on {port} within 90s");
    }

    // The listeners accept a moment before start-up completes; /readyz turns 200 then, and must within 10s.
    private static async Task<string> WaitUntilReadyAsync(int port)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        string status = "";
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using HttpResponseMessage response = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
            status = $"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n";
            if (response.IsSuccessStatusCode)
            {
                break;
            }

            await Task.Delay(100);
        }

        return status;
    }

    private static async Task<string> ConnectAsync(int port, string authority)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"), timeout.Token);
        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return received.ToString();
    }
}
