using System.Net;
using System.Text.Json;
using Gateway.Decisions;
using static Gateway.Tests.Decisions.RefusalClients;

namespace Gateway.Tests.Decisions;

/// <summary><c>policy log</c> shows refusals made before any policy lookup like every other blocked row, named by their reason.</summary>
public sealed class RefusalsInPolicyLogTests
{
    [Fact]
    public async Task RefusalsBeforeTheLookup_AreBlockedRowsOfPolicyLog_NamedByTheirReason()
    {
        await using Gateway.Tests.Listeners.GatewayUnderTest gateway = await RefusalTableTests.StartAsync(maxConnections: 1_000, headerTimeout: TimeSpan.FromSeconds(10));
        string file = Path.Combine(gateway.StateDir, "audit.jsonl");
        Assert.Equal(407, await HttpAsync(gateway.Port, "CONNECT api.example.test:443 HTTP/1.1\r\n\r\n", IPAddress.Parse("127.0.0.2")));
        Assert.Equal(400, await HttpAsync(gateway.Port, "CONNECT api.example.test HTTP/1.1\r\n\r\n"));
        await AuditLines.WaitForAsync(file, 2, "two refusals");

        (int exit, string json) = gateway.Cli("policy", "log", "--json");
        (int tableExit, string table) = gateway.Cli("policy", "log");

        Assert.True(exit == 0, json);
        Assert.True(tableExit == 0, table);
        JsonElement[] rows = [.. JsonDocument.Parse(json).RootElement.EnumerateArray()];
        Assert.Contains(rows, r => Row(r) == ("tokened", "api.example.test", EgressReason.ProxyAuth, "blocked"));
        Assert.Contains(rows, r => Row(r) == ("host", "-", EgressReason.Malformed, "blocked"));
        string blocked = table[..table.IndexOf("Allowed requests:", StringComparison.Ordinal)];
        Assert.Contains(EgressReason.ProxyAuth, blocked, StringComparison.Ordinal);
        Assert.Contains(EgressReason.Malformed, blocked, StringComparison.Ordinal);
    }

    private static (string?, string?, string?, string?) Row(JsonElement row) =>
        (row.GetProperty("sandbox").GetString(), row.GetProperty("host").GetString(), row.GetProperty("rule").GetString(), row.GetProperty("decision").GetString());
}
