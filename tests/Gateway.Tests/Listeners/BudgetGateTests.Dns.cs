using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Dns;
using Microsoft.Extensions.DependencyInjection;
using PolicyCompiler.Budgets;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 21 point 4 on DNS over TCP: a connection past the budget is closed and audited.</summary>
public sealed partial class BudgetGateTests
{
    [Fact]
    public async Task DnsTcp_PastTheConnectionsBudget_IsClosed_AndAudited()
    {
        GatewayUnderTest gateway = await StartAsync(
            new BudgetLimits(1, null, null, null),
            configure: c => c with { Listen = c.Listen with { Dns = new IPEndPoint(IPAddress.Loopback, 0) } });
        try
        {
            int port = gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
            using RawClient holding = await RawClient.ConnectAsync(port, s_flooder); // waits for its first query: holds the slot
            await Task.Delay(100); // lets the accept loop take the first connection before the second arrives (no assertion on time)
            using RawClient refused = await RawClient.ConnectAsync(port, s_flooder);

            string answer = await refused.ReadToEndAsync();

            Assert.Equal(string.Empty, answer);
            Assert.Equal(1, await ExceededAsync(gateway, "connections"));
        }
        finally
        {
            List<JsonElement> events = await AuditAsync(gateway);
            await gateway.DisposeAsync();
            JsonElement refused = Assert.Single(events, e => e.GetProperty("ruleId").GetString() == "budget:connections");
            Assert.Equal(("flooder", "dns"), (refused.GetProperty("sandbox").GetString(), refused.GetProperty("proxy").GetString()));
        }
    }
}
