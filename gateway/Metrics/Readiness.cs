namespace Gateway.Metrics;

/// <summary>
/// What <c>/readyz</c> answers: ready once every listener is bound and the policy is loaded
/// (Kestrel's ApplicationStarted; the policy loads before the host is built), not ready again
/// from the moment shutdown begins, so a load balancer stops sending while tunnels drain.
/// </summary>
internal sealed class Readiness
{
    private const int Starting = 0;
    private const int Ready = 1;
    private const int Stopping = 2;

    private int _state;

    /// <summary>True between start-up and the beginning of shutdown.</summary>
    public bool IsReady => Volatile.Read(ref _state) == Ready;

    /// <summary>One word for the probe's body: starting, ready or stopping.</summary>
    public string State => Volatile.Read(ref _state) switch
    {
        Ready => "ready",
        Stopping => "stopping",
        _ => "starting",
    };

    /// <summary>Listeners are bound and the policy is live.</summary>
    public void MarkReady() => Interlocked.CompareExchange(ref _state, Ready, Starting);

    /// <summary>Shutdown began; never ready again.</summary>
    public void MarkStopping() => Volatile.Write(ref _state, Stopping);
}
