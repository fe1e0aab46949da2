using Prometheus;

namespace Gateway.Metrics;

/// <summary>
/// <c>gateway_upstream_requests_active</c> and <c>gateway_upstream_requests_queued_total</c>: intercepted
/// requests in flight upstream (each holds at most one upstream socket) and those that waited for
/// one of their client connection's <c>limits.upstreamRequestsPerConnection</c> slots.
/// </summary>
internal sealed partial class GatewayMetrics
{
    private Gauge? _upstreamRequestsActive;
    private Counter? _upstreamRequestsQueued;

    /// <summary>An intercepted request took an upstream slot of its client connection.</summary>
    public void UpstreamRequestStarted() => _upstreamRequestsActive!.Inc();

    /// <summary>An intercepted request gave its upstream slot back.</summary>
    public void UpstreamRequestEnded() => _upstreamRequestsActive!.Dec();

    /// <summary>An intercepted request found every upstream slot of its client connection taken and waited.</summary>
    public void UpstreamRequestQueued() => _upstreamRequestsQueued!.Inc();

    private void CreateUpstreamMetrics(IMetricFactory factory)
    {
        _upstreamRequestsActive = factory.CreateGauge(
            "gateway_upstream_requests_active",
            "Intercepted requests in flight to their upstream now; each holds at most one upstream socket.");
        _upstreamRequestsQueued = factory.CreateCounter(
            "gateway_upstream_requests_queued_total",
            "Intercepted requests that waited because their client connection already had limits.upstreamRequestsPerConnection requests in flight upstream.");
    }
}
