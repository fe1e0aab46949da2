using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary>
/// Where each TCP listener is bound once Kestrel has started: with port 0 (tests) the
/// configured endpoint does not say which port the kernel chose, Kestrel's bound one does.
/// </summary>
internal sealed class ListenerEndPoints
{
    private readonly Dictionary<string, ListenOptions> _listeners = new(StringComparer.Ordinal);

    /// <summary>The bound endpoint of the listener of <paramref name="kind"/> (a <see cref="Listeners.ListenerKind"/>), null when it is off.</summary>
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

    /// <summary>
    /// True when a connection to <paramref name="target"/> would reach one of these listeners:
    /// the gateway proxying to itself, a loop whose inner connection comes from loopback.
    /// </summary>
    public bool Reaches(IPEndPoint target)
    {
        lock (_listeners)
        {
            foreach (ListenOptions listen in _listeners.Values)
            {
                if (listen.EndPoint is IPEndPoint bound && Reaches(bound, target))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when a connection to <paramref name="target"/> lands on a socket bound to <paramref name="bound"/>.</summary>
    public static bool Reaches(IPEndPoint bound, IPEndPoint target)
    {
        if (bound.Port != target.Port || bound.Port == 0)
        {
            return false;
        }

        IPAddress address = target.Address.IsIPv4MappedToIPv6 ? target.Address.MapToIPv4() : target.Address;
        IPAddress listening = bound.Address.IsIPv4MappedToIPv6 ? bound.Address.MapToIPv4() : bound.Address;
        if (listening.Equals(address))
        {
            return true;
        }

        // A wildcard listener takes connections to every address of this host, not only loopback.
        return (listening.Equals(IPAddress.Any) || listening.Equals(IPAddress.IPv6Any)) && IsLocal(address);
    }

    // Only reached when a port matches a listener's, so enumerating interfaces here costs nothing on the common path.
    private static bool IsLocal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.Equals(address))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
