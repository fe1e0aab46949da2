using Gateway.Metrics;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The upstream requests one intercepted client connection may have in flight at once
/// (<c>limits.upstreamRequestsPerConnection</c>). Every in-flight request holds at most one
/// upstream socket (a pooled one or one dialled for it), so without this one HTTP/2 connection with
/// 100 concurrent streams to an HTTP/1.1 upstream made 100 upstream sockets, outside every limit.
/// Past the bound, requests wait for a slot (counted in <c>gateway_upstream_requests_queued_total</c>);
/// Kestrel's own stream limit bounds how many can wait.
/// </summary>
internal sealed class UpstreamRequestSlots(int slots, GatewayMetrics metrics)
{
    /// <summary>The connection item under which the slots are stored.</summary>
    public const string ItemKey = "gateway.upstreamSlots";

    private readonly SemaphoreSlim _slots = new(slots, slots);

    /// <summary>The slots of the connection <paramref name="context"/> arrived on; null when it was not intercepted.</summary>
    public static UpstreamRequestSlots? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? slots) == true
            ? slots as UpstreamRequestSlots
            : null;

    /// <summary>Takes a slot, waiting for one when all are taken; false when the request was aborted first.</summary>
    public async ValueTask<bool> EnterAsync(CancellationToken cancellation)
    {
        if (!_slots.Wait(0))
        {
            metrics.UpstreamRequestQueued();
            try
            {
                await _slots.WaitAsync(cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        metrics.UpstreamRequestStarted();
        return true;
    }

    /// <summary>Gives back the slot an <see cref="EnterAsync"/> that returned true took.</summary>
    public void Exit()
    {
        metrics.UpstreamRequestEnded();
        _slots.Release();
    }
}
