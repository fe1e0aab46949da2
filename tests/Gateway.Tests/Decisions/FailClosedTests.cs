using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Tests.Decisions.RefusalClients;
using Row = Gateway.Tests.Decisions.RefusalTableTests.Row;

namespace Gateway.Tests.Decisions;

/// <summary>
/// Fail closed: a policy that throws while deciding gives a refusal with reason <c>policy-error</c>
/// on every path, counted in <c>gateway_errors_total{kind="policy_error"}</c>, and the daemon goes
/// on serving what it can decide.
/// </summary>
public sealed class FailClosedTests
{
    [Fact]
    public async Task APolicyThatThrows_RefusesOnEveryPathWithPolicyError_AndTheDaemonKeepsServing()
    {
        var lookup = new ThrowingLookup();
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        await using GatewayUnderTest gateway = await RefusalTableTests.StartAsync(
            maxConnections: 1_000, headerTimeout: TimeSpan.FromSeconds(10), services: s => s.AddSingleton<IPolicyLookup>(lookup), openLoopback: true);
        int forward = gateway.Port;
        int http = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        int tls = gateway.PortOf(ListenerKind.TransparentTls)!.Value;
        int dns = RefusalTableTests.DnsPort(gateway);
        Row[] rows =
        [
            new("CONNECT", ListenerKind.Forward, EgressReason.PolicyError, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "CONNECT boom.example.test:443 HTTP/1.1\r\n\r\n"))),
            new("absolute-form", ListenerKind.Forward, EgressReason.PolicyError, 403,
                async () => Assert.Equal(403, await HttpAsync(forward, "GET http://boom.example.test/ HTTP/1.1\r\nHost: boom.example.test\r\n\r\n"))),
            new("transparent HTTP", ListenerKind.TransparentHttp, EgressReason.PolicyError, 403,
                async () => Assert.Equal(403, await HttpAsync(http, "GET / HTTP/1.1\r\nHost: boom.example.test\r\n\r\n"))),
            new("transparent TLS", ListenerKind.TransparentTls, EgressReason.PolicyError, 403,
                async () => Assert.Equal(0x15, (await HelloAsync(tls, "boom.example.test"))[0])),
            new("DNS", ListenerKind.Dns, EgressReason.PolicyError, 5,
                async () => Assert.Equal(5, await DnsAsync(dns, DnsTestMessages.Query("boom.example.test")))),
        ];

        string file = Path.Combine(gateway.StateDir, "audit.jsonl");
        for (int i = 0; i < rows.Length; i++)
        {
            await rows[i].Act().WaitAsync(TimeSpan.FromSeconds(60));
            await AuditLines.WaitForAsync(file, i + 1, rows[i].Name);
        }

        // Still serving: a host the policy can decide goes through, on the same daemon.
        using (RawClient tunnel = await RawClient.ConnectAsync(forward))
        {
            await tunnel.SendAsync($"CONNECT api.example.test:{upstream.HttpPort} HTTP/1.1\r\n\r\n");
            (int status, _, _) = await tunnel.ReadResponseAsync();
            Assert.Equal(200, status);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Scrape scrape = Scrape.Parse(await client.GetStringAsync(gateway.MetricsUrl + "/metrics"));
        Assert.Equal(rows.Length, scrape.Value("gateway_errors_total", ("kind", "policy_error")));
        Assert.Equal(rows.Length, lookup.Thrown);

        await gateway.StopAsync();
        List<System.Text.Json.JsonElement> events = AuditLines.Read(file);
        Assert.Equal(rows.Length + 1, events.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal((rows[i].Listener, EgressReason.PolicyError, "blocked", rows[i].Status), AuditLines.Key(events[i]));
            Assert.Equal(EgressReason.PolicyError, events[i].GetProperty("ruleId").GetString());
        }

        Assert.Equal((ListenerKind.Forward, EgressReason.Rule, "allowed", 200), AuditLines.Key(events[^1]));
    }
}
