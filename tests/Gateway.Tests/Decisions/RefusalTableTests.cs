using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Tests.Decisions.RefusalClients;

namespace Gateway.Tests.Decisions;

/// <summary>
/// Invariant 7: every refusal is on the record. Each row drives one refusal through one listener
/// it can happen on, with a real client on a real socket to the in-process daemon, and the audit
/// file must then hold exactly one event per row, with the row's listener, reason and status.
/// </summary>
public sealed class RefusalTableTests
{
    private const byte TlsAlert = 0x15;
    private const int NxDomain = 3; // dns.blocked's default answer to a name the policy blocks
    private const int FormErr = 1;
    private static readonly IPAddress s_tokened = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task EveryRefusal_OnEveryListener_IsExactlyOneAuditEvent_WithItsReasonAndStatus()
    {
        await using GatewayUnderTest gateway = await StartAsync(maxConnections: 1_000, headerTimeout: TimeSpan.FromSeconds(1));
        int forward = gateway.Port;
        int http = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        int tls = gateway.PortOf(ListenerKind.TransparentTls)!.Value;
        int dns = DnsPort(gateway);
        Row[] rows =
        [
            new("CONNECT to a host no rule allows", ListenerKind.Forward, EgressReason.NoMatch, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "CONNECT other.example.test:443 HTTP/1.1\r\n\r\n"))),
            new("CONNECT to a denied host", ListenerKind.Forward, EgressReason.Rule, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "CONNECT denied.example.test:443 HTTP/1.1\r\n\r\n"))),
            new("CONNECT to an allowed name of a refused address", ListenerKind.Forward, EgressReason.EgressGuard, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "CONNECT metadata.example.test:80 HTTP/1.1\r\n\r\n"))),
            new("CONNECT to an invalid host", ListenerKind.Forward, EgressReason.InvalidHost, 400,
                async () => Assert.Equal(400, await HttpAsync(forward, "CONNECT a..b.example.test:443 HTTP/1.1\r\n\r\n"))),
            new("CONNECT without a port", ListenerKind.Forward, EgressReason.Malformed, 400,
                async () => Assert.Equal(400, await HttpAsync(forward, "CONNECT api.example.test HTTP/1.1\r\n\r\n"))),
            new("CONNECT head never finished", ListenerKind.Forward, EgressReason.HeaderTimeout, 408,
                async () => Assert.Equal(408, await HttpAsync(forward, "CONNECT api.example.test:443 HTTP/1.1\r\n"))),
            new("CONNECT without the sandbox's token", ListenerKind.Forward, EgressReason.ProxyAuth, 407,
                async () => Assert.Equal(407, await HttpAsync(forward, "CONNECT api.example.test:443 HTTP/1.1\r\n\r\n", s_tokened))),
            new("absolute-form to a host no rule allows", ListenerKind.Forward, EgressReason.NoMatch, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "GET http://other.example.test/ HTTP/1.1\r\nHost: other.example.test\r\n\r\n"))),
            new("absolute-form to a refused address", ListenerKind.Forward, EgressReason.EgressGuard, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "GET http://metadata.example.test/ HTTP/1.1\r\nHost: metadata.example.test\r\n\r\n"))),
            new("origin-form sent to the proxy", ListenerKind.Forward, EgressReason.Malformed, 400,
                async () => Assert.Equal(400, await HttpAsync(forward, "GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n"))),
            new("absolute-form without the sandbox's token", ListenerKind.Forward, EgressReason.ProxyAuth, 407,
                async () => Assert.Equal(407, await HttpAsync(forward, "GET http://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n", s_tokened))),
            new("transparent HTTP to a host no rule allows", ListenerKind.TransparentHttp, EgressReason.NoMatch, 403,
                async () => Assert.Equal(403, await HttpAsync(http, "GET / HTTP/1.1\r\nHost: other.example.test\r\n\r\n"))),
            new("transparent HTTP to a refused address", ListenerKind.TransparentHttp, EgressReason.EgressGuard, 403,
                async () => Assert.Equal(403, await HttpAsync(http, "GET / HTTP/1.1\r\nHost: metadata.example.test\r\n\r\n"))),
            new("transparent HTTP to an invalid host", ListenerKind.TransparentHttp, EgressReason.InvalidHost, 400,
                async () => Assert.Equal(400, await HttpAsync(http, "GET / HTTP/1.1\r\nHost: a..b.example.test\r\n\r\n"))),
            new("transparent HTTP that never sends a byte", ListenerKind.TransparentHttp, EgressReason.HeaderTimeout, 408,
                async () => Assert.Equal(408, await HttpAsync(http, string.Empty))),
            new("transparent HTTP port spoken to in another protocol", ListenerKind.TransparentHttp, EgressReason.NonHttp, 0,
                async () => Assert.Empty(await RawAsync(http, Ascii("SSH-2.0-OpenSSH_9.2\r\n")))),
            new("SNI of a host no rule allows", ListenerKind.TransparentTls, EgressReason.NoMatch, 403,
                async () => Assert.Equal(TlsAlert, (await HelloAsync(tls, "other.example.test"))[0])),
            new("SNI of an invalid host", ListenerKind.TransparentTls, EgressReason.InvalidHost, 400,
                async () => Assert.Equal(TlsAlert, (await HelloAsync(tls, "a..b.example.test"))[0])),
            new("SNI of an allowed name with a refused address", ListenerKind.TransparentTls, EgressReason.EgressGuard, 403,
                async () => Assert.Equal(TlsAlert, (await HelloAsync(tls, "metadata.example.test"))[0])),
            new("ClientHello that never comes", ListenerKind.TransparentTls, EgressReason.HeaderTimeout, 408,
                async () => Assert.Empty(await RawAsync(tls, []))),
            new("TLS record that is no ClientHello", ListenerKind.TransparentTls, EgressReason.Malformed, 400,
                async () => Assert.Equal(TlsAlert, (await RawAsync(tls, new ClientHelloBuilder { HandshakeType = 2 }.Build()))[0])),
            new("TLS port spoken to in plain HTTP", ListenerKind.TransparentTls, EgressReason.NonHttp, 0,
                async () => Assert.Empty(await RawAsync(tls, Ascii("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n")))),
            new("DNS query for a name no rule allows", ListenerKind.Dns, EgressReason.NoMatch, NxDomain,
                async () => Assert.Equal(NxDomain, await DnsAsync(dns, DnsTestMessages.Query("other.example.test")))),
            new("DNS query for a denied name", ListenerKind.Dns, EgressReason.Rule, NxDomain,
                async () => Assert.Equal(NxDomain, await DnsAsync(dns, DnsTestMessages.Query("denied.example.test")))),
            new("DNS query that cannot be read", ListenerKind.Dns, EgressReason.Malformed, FormErr,
                async () => Assert.Equal(FormErr, await DnsAsync(dns, DnsTestMessages.Hex("1234 0100 0001 0000 0000 0000 3f61")))),
        ];

        await RunAsync(gateway, rows);
    }

    [Fact]
    public async Task AtTheConnectionLimit_EveryListener_RecordsOneConnectionLimitRefusal()
    {
        await using GatewayUnderTest gateway = await StartAsync(maxConnections: 1, headerTimeout: TimeSpan.FromMinutes(5));
        int http = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        int tls = gateway.PortOf(ListenerKind.TransparentTls)!.Value;

        // One connection that says nothing holds the only slot; it leaves no event when it goes.
        using RawClient holder = await RawClient.ConnectAsync(gateway.Port);
        await holder.SendAsync("CONNECT ");
        Row[] rows =
        [
            new("CONNECT past the limit", ListenerKind.Forward, EgressReason.ConnectionLimit, 503,
                async () => Assert.Equal(503, await HttpAsync(gateway.Port, "CONNECT api.example.test:443 HTTP/1.1\r\n\r\n"))),
            new("transparent HTTP past the limit", ListenerKind.TransparentHttp, EgressReason.ConnectionLimit, 503,
                async () => Assert.Equal(503, await HttpAsync(http, "GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n"))),
            new("transparent TLS past the limit", ListenerKind.TransparentTls, EgressReason.ConnectionLimit, 503,
                async () => Assert.Empty(await RawAsync(tls, ClientHelloBuilder.Tls13("api.example.test").Build()))),
        ];

        await RunAsync(gateway, rows, beforeStop: holder.Dispose);
    }

    internal static async Task RunAsync(GatewayUnderTest gateway, Row[] rows, Action? beforeStop = null)
    {
        string file = Path.Combine(gateway.StateDir, "audit.jsonl");
        for (int i = 0; i < rows.Length; i++)
        {
            await rows[i].Act().WaitAsync(TimeSpan.FromSeconds(60));
            await AuditLines.WaitForAsync(file, i + 1, rows[i].Name);
        }

        beforeStop?.Invoke();
        await gateway.StopAsync(); // drains and flushes: a second event of any row would be here now
        List<JsonElement> events = AuditLines.Read(file);
        Assert.True(events.Count == rows.Length, $"{rows.Length} rows, {events.Count} events:\n{string.Join('\n', events)}");
        for (int i = 0; i < rows.Length; i++)
        {
            Row row = rows[i];
            Assert.True(
                (row.Listener, row.Reason, "blocked", row.Status) == AuditLines.Key(events[i]),
                $"{row.Name}: expected {(row.Listener, row.Reason, "blocked", row.Status)}, got {events[i]}");
            Assert.True(EgressReason.IsKnown(row.Reason), row.Reason);
        }
    }

    internal static Task<GatewayUnderTest> StartAsync(int maxConnections, TimeSpan headerTimeout, Action<IServiceCollection>? services = null, bool openLoopback = false) =>
        GatewayUnderTest.StartAsync(
            [
                ["policy", "set-default", "deny-all"],
                ["policy", "allow", "network", "api.example.test,metadata.example.test"],
                ["policy", "deny", "network", "denied.example.test"],
            ],
            config => config with
            {
                Listen = config.Listen with
                {
                    TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0),
                    TransparentTls = new IPEndPoint(IPAddress.Loopback, 0),
                    Dns = new IPEndPoint(IPAddress.Loopback, 0),
                },
                Limits = config.Limits with { MaxConnections = maxConnections, HeaderTimeout = headerTimeout },
                Audit = config.Audit with { RefusalBurst = 10_000 },
                Sandboxes = [new SandboxConfig("tokened", [s_tokened], ImmutableArray<string>.Empty, "s3cret")],
            },
            openLoopback: openLoopback,
            services: services);

    internal static int DnsPort(GatewayUnderTest gateway) =>
        gateway.Services.GetRequiredService<Gateway.Dns.DnsServer>().EndPoint!.Port;

    /// <summary>One refusal: what the client does, and the one event it must leave.</summary>
    internal sealed record Row(string Name, string Listener, string Reason, int Status, Func<Task> Act)
    {
        public override string ToString() => Name;
    }
}
