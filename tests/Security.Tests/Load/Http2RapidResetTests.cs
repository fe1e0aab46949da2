using System.Diagnostics;
using Gateway.Listeners;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>
/// HTTP/2 rapid reset (CVE-2023-44487 shape) on intercepted connections: CONNECT to a host a kit
/// binds a credential to, TLS with ALPN h2, bursts of HEADERS + RST_STREAM while the frames the
/// gateway sends are read, connection after connection, each ended by a reset or a plain close.
/// Every connection-limit slot must come back once its connection is gone, whatever state the
/// HTTP/2 stack was in, and a normal request must be served afterwards. Before the fix, with
/// inline socket completions (what <c>gateway run</c> uses; test.sh runs this class once more with
/// them on), 1 to 4 of 8 slots stayed taken for good after ~250 such connections.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class Http2RapidResetTests(ITestOutputHelper output)
{
    private const int Slots = 8;
    private const int Attackers = Slots - 2;
    private const int ConnectionsPerAttacker = 40;
    private const int Bursts = 30;
    private const int StreamsPerBurst = 200;

    [Fact]
    public async Task RapidReset_ConnectionAfterConnection_ReturnsEverySlot_AndTheGatewayServesAfterwards()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(
            "rapid-reset-secret", configure: c => c with { Limits = c.Limits with { MaxConnections = Slots } });
        ConnectionGate gate = env.Gateway.Services.GetRequiredService<ConnectionGate>();
        string authority = $"api.example.test:{env.Upstream.Port}";
        byte[] burst = BuildBurst(authority);

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var clock = Stopwatch.StartNew();
        var attackers = new Task<(int Opened, int Refused)>[Attackers];
        for (int a = 0; a < Attackers; a++)
        {
            int attacker = a;
            attackers[a] = Task.Run(() => AttackAsync(env, burst, attacker, bound.Token));
        }

        (int Opened, int Refused)[] results = await Task.WhenAll(attackers).WaitAsync(TimeSpan.FromSeconds(180));
        int opened = results.Sum(r => r.Opened);
        int refused = results.Sum(r => r.Refused);
        TimeSpan attack = clock.Elapsed;

        // The last connections are gone from the client's side; their slots come back as soon as
        // the gateway notices, far sooner than limits.idleTimeout (5 min by default).
        int open = await WaitForOpenAsync(gate, 0, TimeSpan.FromSeconds(60));
        output.WriteLine($"rapid reset: {opened} connections ({refused} refused) x {Bursts} bursts of {StreamsPerBurst} HEADERS+RST_STREAM in {attack.TotalSeconds:0.0} s; slots still taken afterwards: {open} of {Slots}");
        string logs = env.Logs.ToString();
        output.WriteLine($"log lines: {logs.Split('\n').Length}, queue-size lines: {logs.Split("maximum queue size").Length - 1}, abandoned stacks: {logs.Split("did not finish").Length - 1}");

        Assert.Equal(0, open);

        (int exit, string stdout, string stderr) = await env.CurlAsync("api.example.test", "/after", "-sS", "--http2");
        Assert.True(exit == 0, stderr);
        Assert.Contains("/after", stdout, StringComparison.Ordinal);
    }

    internal static async Task<int> WaitForOpenAsync(ConnectionGate gate, int expected, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        while (gate.Open != expected && clock.Elapsed < wait)
        {
            await Task.Delay(100);
        }

        return gate.Open;
    }

    private async Task<(int Opened, int Refused)> AttackAsync(InterceptedGateway env, byte[] burst, int attacker, CancellationToken cancellation)
    {
        int opened = 0, refused = 0;
        for (int i = 0; i < ConnectionsPerAttacker && !cancellation.IsCancellationRequested; i++)
        {
            RawHttp2Connection h2;
            try
            {
                h2 = await RawHttp2Connection.OpenAsync(env.Gateway.Port, "api.example.test", env.Upstream.Port, env.GatewayCaPath);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or IOException or System.Security.Authentication.AuthenticationException)
            {
                // 503 while every slot is taken (by this test's own attackers, or by leaked slots).
                refused++;
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            opened++;
            await using (h2)
            {
                using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                reading.CancelAfter(TimeSpan.FromSeconds(20));
                Task<bool> drain = h2.DrainAsync(reading.Token);
                for (int b = 0; b < Bursts && !h2.WriteFailed; b++)
                {
                    await h2.WriteRawAsync(Rebase(burst, b * StreamsPerBurst));
                }

                // Half the connections vanish with a TCP reset, half close politely.
                if (((attacker + i) & 1) == 0)
                {
                    h2.Abort();
                }

                await reading.CancelAsync();
                await drain.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }

            output.WriteLine($"attacker {attacker} connection {i} done");
        }

        return (opened, refused);
    }

    // One burst: StreamsPerBurst requests on streams 1, 3, 5 …, each cancelled at once (RFC 9113 §6.4, CANCEL = 0x8).
    private static byte[] BuildBurst(string authority)
    {
        var bytes = new MemoryStream();
        byte[] block = RawHpack.Encode([(":method", "GET"), (":scheme", "https"), (":authority", authority), (":path", "/reset")]);
        for (int s = 0; s < StreamsPerBurst; s++)
        {
            int stream = 1 + (2 * s);
            bytes.Write(RawHttp2Connection.Frame(RawHttp2Connection.Headers, RawHttp2Connection.EndHeaders | RawHttp2Connection.EndStream, stream, block));
            bytes.Write(RawHttp2Connection.Frame(RawHttp2Connection.RstStream, 0, stream, [0, 0, 0, 0x8]));
        }

        return bytes.ToArray();
    }

    // The same burst with every stream id moved past the ones already used (ids only ever grow).
    private static byte[] Rebase(byte[] burst, int offset)
    {
        byte[] copy = (byte[])burst.Clone();
        for (int at = 0; at < copy.Length;)
        {
            int length = (copy[at] << 16) | (copy[at + 1] << 8) | copy[at + 2];
            int id = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(copy.AsSpan(at + 5)) + (2 * offset);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(at + 5), id);
            at += 9 + length;
        }

        return copy;
    }
}
