using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners.Transport;

/// <summary>
/// The gateway's own transport for the sandbox-facing L4 listeners (<c>listen.transport: gateway</c>).
/// Kestrel asks the last registered factory first; this one takes only the endpoints the host
/// handed it (by reference: the forward, transparent TLS and transparent HTTP listeners), so the
/// metrics listener and the admin unix socket stay on Kestrel's socket transport.
/// </summary>
internal sealed class GatewayTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly HashSet<EndPoint> _endPoints = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A copy of <paramref name="endPoint"/> that this transport will bind: pass it to Kestrel's
    /// <c>Listen</c>. A copy, because another listener could be configured with an equal endpoint
    /// (port 0 in tests) and must stay on Kestrel's transport.
    /// </summary>
    public IPEndPoint Claim(IPEndPoint endPoint)
    {
        var claimed = new IPEndPoint(endPoint.Address, endPoint.Port);
        lock (_endPoints)
        {
            _endPoints.Add(claimed);
        }

        return claimed;
    }

    public bool CanBind(EndPoint endpoint)
    {
        lock (_endPoints)
        {
            return _endPoints.Contains(endpoint);
        }
    }

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip || !CanBind(endpoint))
        {
            throw new NotSupportedException($"{endpoint} is not a listener of the gateway's own transport.");
        }

        return new ValueTask<IConnectionListener>(GatewayListener.Bind(ip));
    }
}
