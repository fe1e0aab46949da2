using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.EndToEnd.Tests;
using Gateway.Tests.Listeners;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>
/// No client can flood the daemon's log: thousands of connections that each earn a log line (a
/// malformed CONNECT head, one byte then a TCP reset, an absolute-form request cut by a reset) write
/// at most the rate limit's budget for the flood's duration, and the daemon still serves.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class LogFloodTests(ITestOutputHelper output)
{
    private const int Connections = 3_000;

    // GatewayHost's limits, in lines: gateway 20/s after 200, framework 5/s after 50.
    private const int BurstLines = 200 + 50;
    private const int LinesPerSecond = 20 + 5;

    // Start-up and shutdown lines, which are not part of the flood.
    private const int QuietLines = 40;

    [Fact]
    public async Task ThousandsOfFaultyConnections_WriteNoMoreThanTheRateLimit_AndTheDaemonServes()
    {
        using var upstream = new EchoUpstream();
        using GatewayDaemon gateway = await GatewayDaemon.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);
        byte[][] shapes =
        [
            Encoding.ASCII.GetBytes("CONNECT \r\n\r\n"),
            "C"u8.ToArray(),
            Encoding.ASCII.GetBytes($"POST http://api.example.test:{upstream.Port}/ HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 100000\r\n\r\npartial"),
        ];

        var clock = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        int sent = 0;
        for (int i = 0; i < Connections && !bound.IsCancellationRequested; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.Port), bound.Token);
                await socket.SendAsync(shapes[i % shapes.Length], SocketFlags.None, bound.Token);
                if (i % shapes.Length == 0)
                {
                    // Let the malformed head be read and answered before the reset.
                    await socket.ReceiveAsync(new byte[512], SocketFlags.None, bound.Token);
                }

                sent++;
            }
            catch (SocketException)
            {
                // Refused or reset under load: still a connection the gateway saw.
            }

            socket.LingerState = new LingerOption(true, 0);
        }

        double flood = clock.Elapsed.TotalSeconds;
        using (RawClient client = await RawClient.ConnectAsync(gateway.Port))
        {
            await client.SendAsync($"CONNECT api.example.test:{upstream.Port} HTTP/1.1\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        gateway.Process.Terminate();
        GatewayResult result = await gateway.Process.WaitAsync();

        // Lines about the flood's connections may still be written until the process ends.
        double seconds = clock.Elapsed.TotalSeconds;
        int lines = result.StdoutLines.Count + result.StderrLines.Count;
        int allowed = QuietLines + BurstLines + (int)Math.Ceiling(LinesPerSecond * seconds);
        output.WriteLine($"{sent} faulty connections in {flood:0.0} s (daemon stopped at {seconds:0.0} s): the daemon wrote {lines} log lines ({result.Stdout.Length + result.Stderr.Length} bytes); the rate limit allows {allowed}");
        foreach (IGrouping<string, string> kind in result.StdoutLines.GroupBy(l => l.Length > 40 ? l[21..40] : l).OrderByDescending(g => g.Count()).Take(5))
        {
            output.WriteLine($"{kind.Count()} x {kind.First()}");
        }

        Assert.True(sent > allowed, $"the flood ({sent}) must exceed what the limit allows ({allowed}) for this test to mean anything");
        Assert.True(lines <= allowed, $"{lines} lines > {allowed}");
    }
}
