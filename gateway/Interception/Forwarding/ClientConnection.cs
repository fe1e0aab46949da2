using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Interception.Forwarding;

/// <summary>Whether the client of a forwarded request went away (reset or closed) rather than the upstream failing.</summary>
internal static class ClientConnection
{
    /// <summary>
    /// True when the request was aborted or the forwarder's error comes from the client's
    /// connection. Such a request is then aborted by its handler: Kestrel would otherwise drain the
    /// rest of a body whose read failed with the reset, and log that at Error (invariant 6).
    /// </summary>
    public static bool IsGone(HttpContext context)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        for (Exception? e = context.Features.Get<IForwarderErrorFeature>()?.Exception; e is not null; e = e.InnerException)
        {
            if (e is ConnectionResetException or ConnectionAbortedException)
            {
                return true;
            }
        }

        return false;
    }
}
