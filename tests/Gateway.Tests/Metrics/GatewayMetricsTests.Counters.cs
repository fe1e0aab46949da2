using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Dialing;
using Gateway.Metrics;
using Gateway.Relay;
using PolicyCompiler.Compilation;

namespace Gateway.Tests.Metrics;

/// <summary>Counters that move with one kind of refusal: budgets, report mode.</summary>
public sealed partial class GatewayMetricsTests
{
    [Fact]
    public async Task RecordBudgetExceeded_CountsByBudget()
    {
        var metrics = new GatewayMetrics();

        metrics.RecordBudgetExceeded(Gateway.Sandboxes.BudgetKind.RequestsPerSecond);
        metrics.RecordBudgetExceeded(Gateway.Sandboxes.BudgetKind.RequestsPerSecond);
        metrics.RecordBudgetExceeded(Gateway.Sandboxes.BudgetKind.Connections);
        metrics.RecordBudgetExceeded(Gateway.Sandboxes.BudgetKind.None);

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(2, scrape.Value("gateway_budget_exceeded_total", ("budget", "requestsPerSecond")));
        Assert.Equal(1, scrape.Value("gateway_budget_exceeded_total", ("budget", "connections")));
        Assert.Equal(0, scrape.Value("gateway_budget_exceeded_total", ("budget", "connectionsPerSecond")));
    }

    [Fact]
    public async Task ADenialLetThroughByReportMode_CountsAsAllowed_AndAsWouldBlock()
    {
        var metrics = new GatewayMetrics();

        metrics.RecordDecision(allowed: true, ProxyKind.Forward, 0, wouldBlock: true);
        metrics.RecordDecision(allowed: true, ProxyKind.Forward, 0);
        metrics.RecordDecision(allowed: true, ProxyKind.Dns, 0, wouldBlock: true);
        metrics.RecordWouldBlock(ProxyKind.Transparent); // an L7 rule's denial: no connection decision

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(2, scrape.Value("gateway_decisions_total", ("decision", "allowed"), ("proxy", "forward")));
        Assert.Equal(0, scrape.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "forward")));
        Assert.Equal(1, scrape.Value("gateway_would_block_total", ("proxy", "forward")));
        Assert.Equal(1, scrape.Value("gateway_would_block_total", ("proxy", "dns")));
        Assert.Equal(1, scrape.Value("gateway_would_block_total", ("proxy", "transparent")));
        Assert.Equal(0, scrape.Value("gateway_decisions_total", ("decision", "allowed"), ("proxy", "transparent")));
    }
}
