using Gateway.Listeners;

namespace Gateway.Metrics;

/// <summary>
/// What <c>/readyz</c> answers: ready once every listener is bound and the policy is loaded
/// (Kestrel's ApplicationStarted; the policy loads before the host is built), not ready again
/// from the moment shutdown begins, so a load balancer stops sending while tunnels drain; and
/// not ready while every <c>limits.maxConnections</c> slot is taken, when a new connection from
/// any sandbox would be refused (a leaked or flooded slot count must be visible to a probe).
/// </summary>
internal sealed class Readiness(ConnectionGate gate)
{
    private const int Starting = 0;
    private const int Ready = 1;
    private const int Stopping = 2;

    private int _state;

    /// <summary>True between start-up and the beginning of shutdown, while a new connection would be accepted.</summary>
    public bool IsReady => Volatile.Read(ref _state) == Ready && !gate.IsFull;

    /// <summary>One word for the probe's body: starting, ready, saturated (every connection slot taken) or stopping.</summary>
    public string State => Volatile.Read(ref _state) switch
    {
        Ready when gate.IsFull => "saturated",
        Ready => "ready",
        Stopping => "stopping",
        _ => "starting",
    };

    /// <summary>Listeners are bound and the policy is live.</summary>
    public void MarkReady() => Interlocked.CompareExchange(ref _state, Ready, Starting);

    /// <summary>Shutdown began; never ready again.</summary>
    public void MarkStopping() => Volatile.Write(ref _state, Stopping);
}
