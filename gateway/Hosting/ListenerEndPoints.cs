using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary>
/// Where each TCP listener is bound once Kestrel has started: with port 0 (tests) the
/// configured endpoint does not say which port the kernel chose, Kestrel's bound one does.
/// </summary>
internal sealed class ListenerEndPoints
{
    private readonly Dictionary<string, ListenOptions> _listeners = new(StringComparer.Ordinal);

    /// <summary>The bound endpoint of the listener of <paramref name="kind"/> (a <see cref="ListenerKind"/>), null when it is off.</summary>
    public EndPoint? EndPointOf(string kind)
    {
        lock (_listeners)
        {
            return _listeners.TryGetValue(kind, out ListenOptions? listen) ? listen.EndPoint : null;
        }
    }

    /// <summary>Records the listener of <paramref name="kind"/> while Kestrel is configured.</summary>
    public void Add(string kind, ListenOptions listen)
    {
        lock (_listeners)
        {
            _listeners[kind] = listen;
        }
    }
}
