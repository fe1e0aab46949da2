using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Configuration;
using Gateway.Tests.Listeners;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>
/// Faults around the gateway: slow clients holding heads open, upstreams that reset, stall or
/// cut a response short, and an audit disk that fills up. Each time, normal clients are still
/// answered, the misbehaving connection ends within its bound, and no client gets bytes that
/// are not its own.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThousandSlowlorisConnections_AreCutAtTheHeaderTimeout_WhileNormalClientsAreAnswered()
    {
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            config => config with { Limits = config.Limits with { HeaderTimeout = TimeSpan.FromSeconds(3) } });

        var slow = new Socket[1_000];
        try
        {
            for (int i = 0; i < slow.Length; i++)
            {
                slow[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await slow[i].ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.Port));
                string partial = (i % 2) == 0 ? "CONNECT api.example.test:" : "GET http://api.example.test/ HTTP/1.1\r\nHost: a";
                await slow[i].SendAsync(Encoding.ASCII.GetBytes(partial), SocketFlags.None);
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 20; i++)
            {
                await Survival.AssertTunnelWorksAsync(gateway.Port, upstream.HttpPort);
                await Survival.AssertAbsoluteFormWorksAsync(gateway.Port, upstream.HttpPort);
            }

            // Every slow head is cut: a 408 (CONNECT path) or Kestrel's close, then end of stream.
            int closed = 0;
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            byte[] buffer = new byte[1024];
            foreach (Socket socket in slow)
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token) > 0)
                {
                }

                closed++;
            }

            output.WriteLine($"slowloris: {slow.Length} held heads, 40 normal requests answered meanwhile, {closed} cut within {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(slow.Length, closed);
        }
        finally
        {
            foreach (Socket? socket in slow)
            {
                socket?.Dispose();
            }
        }

        await Survival.AssertTunnelWorksAsync(gateway.Port, upstream.HttpPort);
    }

    [Theory]
    [InlineData(UpstreamFault.Reset, 502)]
    [InlineData(UpstreamFault.Stall, 504)]
    [InlineData(UpstreamFault.HalfResponse, 200)]
    public async Task MisbehavingUpstream_OnTheAbsoluteFormPath_EndsThatRequestOnly(UpstreamFault fault, int status)
    {
        await using TestUpstream healthy = await TestUpstream.StartAsync();
        using var faulty = new FaultyUpstream(fault);
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            config => config with { Limits = config.Limits with { IdleTimeout = TimeSpan.FromSeconds(2) } });

        byte[] answer = await Survival.ExchangeAsync(
            gateway.Port,
            Encoding.ASCII.GetBytes($"GET http://api.example.test:{faulty.Port}/ HTTP/1.1\r\nHost: api.example.test:{faulty.Port}\r\nConnection: close\r\n\r\n"),
            TimeSpan.FromSeconds(30));
        string text = Encoding.Latin1.GetString(answer);

        if (fault == UpstreamFault.HalfResponse)
        {
            // The client sees an aborted connection, after the upstream's head and its 4 bytes when
            // they were flushed before the abort: never the missing 96 bytes from anywhere else.
            Assert.True(text.Length == 0 || (text.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) && text.EndsWith("\r\n\r\nhalf", StringComparison.Ordinal)), text);
        }
        else
        {
            Assert.StartsWith($"HTTP/1.1 {status} ", text, StringComparison.Ordinal);
        }

        await Survival.AssertAbsoluteFormWorksAsync(gateway.Port, healthy.HttpPort);
        await Survival.AssertTunnelWorksAsync(gateway.Port, healthy.HttpPort);
    }

    [Theory]
    [InlineData(UpstreamFault.Reset)]
    [InlineData(UpstreamFault.HalfResponse)]
    public async Task MisbehavingUpstream_ThroughATunnel_ClosesThatTunnelOnly(UpstreamFault fault)
    {
        await using TestUpstream healthy = await TestUpstream.StartAsync();
        using var faulty = new FaultyUpstream(fault);
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);

        using RawClient client = await RawClient.ConnectAsync(gateway.Port);
        await client.SendAsync($"CONNECT api.example.test:{faulty.Port} HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        string rest;
        try
        {
            rest = await client.ReadToEndAsync();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            rest = string.Empty; // the upstream's reset, passed on: that tunnel ends, nothing else does
        }

        Assert.True(rest.Length == 0 || rest == "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf", rest);
        await Survival.AssertTunnelWorksAsync(gateway.Port, healthy.HttpPort);
    }

    [Fact]
    public async Task AuditDiskFull_TheGatewayKeepsServing_AndCountsTheLostEvents()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            output.WriteLine("skipped: needs root to mount a 64 KiB tmpfs");
            return;
        }

        string mount = Directory.CreateTempSubdirectory("gw-full-").FullName;
        (int exit, string mountOutput) = await Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount);
        Assert.True(exit == 0, mountOutput);
        try
        {
            // Fill the disk so the first audit write fails with ENOSPC.
            await using (var filler = new FileStream(Path.Combine(mount, "filler"), FileMode.Create))
            {
                try
                {
                    await filler.WriteAsync(new byte[128 * 1024]);
                    await filler.FlushAsync();
                }
                catch (IOException)
                {
                }
            }

            await using TestUpstream upstream = await TestUpstream.StartAsync();
            await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
                config => config with { Audit = config.Audit with { File = Path.Combine(mount, "audit.jsonl") } });

            for (int i = 0; i < 30; i++)
            {
                await Survival.AssertTunnelWorksAsync(gateway.Port, upstream.HttpPort);
            }

            using var http = new HttpClient();
            double dropped = 0;
            for (int attempt = 0; attempt < 100 && dropped == 0; attempt++)
            {
                string metrics = await http.GetStringAsync(gateway.MetricsUrl + "/metrics");
                string? line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("gateway_audit_dropped_total ", StringComparison.Ordinal));
                dropped = line is null ? 0 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                await Task.Delay(100);
            }

            output.WriteLine($"audit disk full: 30 tunnels served, gateway_audit_dropped_total {dropped}");
            Assert.True(dropped > 0, "a full audit disk must show in gateway_audit_dropped_total");
        }
        finally
        {
            await Run("umount", "-l", mount);
            Directory.Delete(mount, recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> Run(string file, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync());
    }
}
