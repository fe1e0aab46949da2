using Prometheus;

namespace Gateway.Metrics;

/// <summary><c>gateway_approvals_pending</c>: requests of ask mode waiting for an operator now.</summary>
internal sealed partial class GatewayMetrics
{
    private Gauge? _approvalsPending;

    /// <summary>Sets the number of pending approvals (set by the store after each change, not pulled at scrape).</summary>
    public void SetApprovalsPending(int count) => _approvalsPending!.Set(count);

    private void CreateApprovalMetrics(IMetricFactory factory) =>
        _approvalsPending = factory.CreateGauge(
            "gateway_approvals_pending", "Requests held for approval (policy.ask) and waiting now; see `gateway policy pending`.");
}
