using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>
/// 10,000 concurrent CONNECT tunnels held through the gateway process, with its memory and
/// descriptors measured; every tunnel still relays its own bytes, and after they close the
/// descriptors come back. Figures go to the test output (and to LOAD_REPORT when set).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class TunnelLoadTests(ITestOutputHelper output)
{
    private const int Tunnels = 10_000;

    [Fact]
    public async Task TenThousandConcurrentTunnels_AreHeld_EachRelaysItsOwnBytes_AndDescriptorsComeBack()
    {
        // Two descriptors per tunnel in the gateway (client and upstream), and two here (client and echo end). Where
        // RLIMIT_NOFILE cannot be raised (no CAP_SYS_RESOURCE; 20,000 here), as many tunnels as it allows.
        ulong limit = FileLimit.Raise(65_536);
        int tunnels = (int)Math.Min(Tunnels, ((long)limit - 600) / 2);
        Assert.True(tunnels >= 1_000, $"RLIMIT_NOFILE {limit} is too low for a meaningful run");

        using var upstream = new EchoUpstream();
        using GatewayDaemon gateway = await GatewayDaemon.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            string.Empty);
        long rssIdle = gateway.Rss();
        int fdsIdle = gateway.OpenDescriptors();

        var clients = new Socket[tunnels];
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            byte[] request = Encoding.ASCII.GetBytes($"CONNECT api.example.test:{upstream.Port} HTTP/1.1\r\n\r\n");
            const int Batch = 250;
            for (int first = 0; first < tunnels; first += Batch)
            {
                int count = Math.Min(Batch, tunnels - first);
                var opening = new Task[count];
                for (int i = 0; i < count; i++)
                {
                    opening[i] = OpenAsync(clients, first + i, gateway.Port, request);
                }

                await Task.WhenAll(opening).WaitAsync(TimeSpan.FromSeconds(120));
            }

            TimeSpan opened = started.Elapsed;
            await WaitForAsync(() => upstream.Open >= tunnels, TimeSpan.FromSeconds(60), () => $"{upstream.Open} of {tunnels} tunnels reached the upstream");
            GC.Collect();
            await Task.Delay(500);
            long rssHeld = gateway.Rss();
            int fdsHeld = gateway.OpenDescriptors();

            // Each tunnel relays its own bytes, and only those.
            var random = new Random(12345);
            for (int probe = 0; probe < 200; probe++)
            {
                int i = random.Next(tunnels);
                byte[] ping = Encoding.ASCII.GetBytes($"ping {i:D5}");
                await clients[i].SendAsync(ping, SocketFlags.None);
                byte[] back = new byte[ping.Length];
                int got = 0;
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                while (got < back.Length)
                {
                    got += await clients[i].ReceiveAsync(back.AsMemory(got), SocketFlags.None, cts.Token);
                }

                Assert.Equal(ping, back);
            }

            Report($"tunnels held: {tunnels} of {Tunnels} (RLIMIT_NOFILE {limit}; opened in {opened.TotalSeconds:0.0} s); gateway RSS idle {rssIdle / 1048576.0:0.0} MiB, held {rssHeld / 1048576.0:0.0} MiB, {(rssHeld - rssIdle) / (double)tunnels:0} B per tunnel; descriptors idle {fdsIdle}, held {fdsHeld}");
            Assert.True(fdsHeld >= fdsIdle + (2 * tunnels), $"descriptors held {fdsHeld}, idle {fdsIdle}");
        }
        finally
        {
            foreach (Socket? client in clients)
            {
                client?.Dispose();
            }
        }

        // Closing every client tears every tunnel down: the descriptors come back.
        await WaitForAsync(
            () => gateway.OpenDescriptors() <= fdsIdle + 20,
            TimeSpan.FromSeconds(120),
            () => $"the gateway still has {gateway.OpenDescriptors()} descriptors (idle {fdsIdle}); the upstream still has {upstream.Open} connections");
        Report($"descriptors after close: {gateway.OpenDescriptors()} (idle {fdsIdle}); RSS after close {gateway.Rss() / 1048576.0:0.0} MiB");
    }

    private static async Task OpenAsync(Socket[] clients, int index, int port, byte[] request)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        clients[index] = socket;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await socket.SendAsync(request, SocketFlags.None, cts.Token);
        byte[] buffer = new byte[1024];
        int got = 0;
        while (got < 4 || buffer.AsSpan(0, got).IndexOf("\r\n\r\n"u8) < 0)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cts.Token);
            Assert.True(n > 0, $"tunnel {index}: closed before an answer");
            got += n;
        }

        string head = Encoding.ASCII.GetString(buffer, 0, got);
        if (!head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal))
        {
            // A refusal's body says why (dial error, limit); read what arrives within a second for the message.
            using var more = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                got += await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, more.Token);
            }
            catch (OperationCanceledException)
            {
            }

            Assert.Fail($"tunnel {index}: {Encoding.ASCII.GetString(buffer, 0, got)}");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, Func<string> state)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"not met within {timeout}: {state()}");
            await Task.Delay(100);
        }
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("LOAD_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllLines(file, [line]);
        }
    }
}
