using System.Net;
using PolicyCompiler.Kits;

namespace Gateway.Dialing;

/// <summary>
/// What an L7 upstream connection pool is keyed by besides the name and port the handler keys
/// it by: everything about a request's dial that may differ between two requests to that name.
/// A pooled connection is reused only by a request that would have dialled it the same way: the
/// same route (a kit's <c>network.proxy</c>, or the gateway's own direct or SOCKS5 route) and the
/// same openings of its decision (<see cref="DialPermissions"/>). Without this, a connection to
/// <c>localhost</c> dialled for a sandbox whose rule names <c>localhost</c> would serve another
/// sandbox's request to the same name that the egress guard refuses (security invariant 5).
/// Credentials are never part of it: they are set per request, not per connection.
/// </summary>
/// <param name="Route">The kit's proxy, or null for the gateway's own route.</param>
/// <param name="Address">The IP literal the deciding rule named, or null.</param>
/// <param name="Localhost">True when the deciding rule named <c>localhost</c>.</param>
internal readonly record struct UpstreamPoolKey(KitProxy? Route, IPAddress? Address, bool Localhost)
{
    /// <summary>The key of a request routed by <paramref name="route"/> and dialled with <paramref name="permissions"/>.</summary>
    public static UpstreamPoolKey For(KitProxy? route, DialPermissions permissions) =>
        new(route, permissions.ExactAddressRule, permissions.LocalhostRule);

    /// <summary>True for the gateway's own route with no openings: the pool nearly every request shares.</summary>
    public bool IsDefault => Route is null && Address is null && !Localhost;
}
