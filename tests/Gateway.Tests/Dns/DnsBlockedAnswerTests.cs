using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Dns;

/// <summary>
/// Issue 20 point 4, DNS: <c>dns.blocked</c> answers a blocked name with NXDOMAIN (the default: no
/// retries), REFUSED, or the gateway's address, whose transparent listener then refuses the
/// connection with the same readable 403 as the forward proxy. Checked with dig and curl.
/// </summary>
public sealed class DnsBlockedAnswerTests
{
    [DigFact]
    public async Task Default_IsNxDomain_ForBlockedNames_WhileAllowedOnesResolve()
    {
        await using GatewayUnderTest gateway = await StartAsync(blocked: null);
        int port = DnsPort(gateway);

        (_, string blocked) = await Dig.RunAsync($"@127.0.0.1 -p {port} other.example.test A +tries=1 +time=2");
        (_, string allowed) = await Dig.RunAsync($"@127.0.0.1 -p {port} api.example.test A +tries=1 +time=2");

        Assert.Contains("status: NXDOMAIN", blocked, StringComparison.Ordinal);
        Assert.Contains("status: NOERROR", allowed, StringComparison.Ordinal);
    }

    [DigFact]
    public async Task Refused_KeepsTheOldAnswer()
    {
        await using GatewayUnderTest gateway = await StartAsync(DnsBlockedAnswer.Refused);

        (_, string output) = await Dig.RunAsync($"@127.0.0.1 -p {DnsPort(gateway)} other.example.test A +tries=1 +time=2");

        Assert.Contains("status: REFUSED", output, StringComparison.Ordinal);
    }

    [DigFact]
    public async Task Gateway_AnswersTheGatewaysAddress_AndTheTransparentListenerRefusesWithTheReason()
    {
        await using GatewayUnderTest gateway = await StartAsync(DnsBlockedAnswer.Gateway);
        int http = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;

        (_, string output) = await Dig.RunAsync($"@127.0.0.1 -p {DnsPort(gateway)} other.example.test A +tries=1 +time=2");
        (int exit, string body, string stderr) = await Curl.RunAsync(
            "--resolve", $"other.example.test:{http}:127.0.0.1", "-w", "\n%{http_code}", $"http://other.example.test:{http}/");

        Assert.Contains("status: NOERROR", output, StringComparison.Ordinal);
        Assert.Matches(@"other\.example\.test\.\s+30\s+IN\s+A\s+127\.0\.0\.1", output);
        Assert.True(exit == 0, stderr);
        Assert.EndsWith("\n403", body, StringComparison.Ordinal);
        Assert.Contains("other.example.test", body, StringComparison.Ordinal);
        Assert.Contains("gateway policy allow network other.example.test", body, StringComparison.Ordinal);

        // The query is on the record as blocked, though it was answered.
        await gateway.StopAsync();
        JsonElement query = (await File.ReadAllLinesAsync(Path.Combine(gateway.StateDir, "audit.jsonl")))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .First(e => e.GetProperty("proxy").GetString() == "dns");
        Assert.Equal(("other.example.test", "blocked"), (query.GetProperty("host").GetString(), query.GetProperty("decision").GetString()));
    }

    [Fact]
    public void Blocked_WithAnUnknownValue_FailsStartUpNamingTheKeyAndTheChoices()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("gw-dns-config-").FullName, "gateway.yaml");
        File.WriteAllText(file, "dns:\n  blocked: drop\n");
        var errors = new List<string>();

        bool loaded = ConfigLoader.TryLoad(file, ConfigLoader.NoEnvironment, out _, errors);

        Assert.False(loaded);
        Assert.Contains(errors, e => e.Contains("dns.blocked", StringComparison.Ordinal) && e.Contains("use nxdomain", StringComparison.Ordinal));
    }

    internal static Task<GatewayUnderTest> StartAsync(DnsBlockedAnswer? blocked) => GatewayUnderTest.StartAsync(
        [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
        config => config with
        {
            Listen = config.Listen with { Dns = new IPEndPoint(IPAddress.Loopback, 0), TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0) },
            Dns = blocked is { } answer ? new DnsConfig(null, answer) : null,
        });

    internal static int DnsPort(GatewayUnderTest gateway) => gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
}
