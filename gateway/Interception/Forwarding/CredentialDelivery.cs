using System.Net.Http;
using System.Security.Authentication;
using Gateway.Dialing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// Whether a forwarded request's credential may have left the gateway, for the audit's
/// <c>injected</c> and <c>gateway_injections_total</c>. It did not when no connection to the
/// upstream ever came up for it: a refused dial, a name that did not resolve, a refused or failed
/// connection, a failed TLS handshake, or a client gone while the connection it was waiting for
/// was still being made (an HTTP/2 stream reset early, a client timeout). Once a request may have
/// been written it counts, answered or not: a credential that may have reached the upstream is
/// on the record.
/// </summary>
internal static class CredentialDelivery
{
    /// <summary>True unless the request certainly never reached an upstream connection.</summary>
    public static bool MayHaveLeft(ForwarderError error, HttpContext context, HttpDialOutcome outcome)
    {
        if (error == ForwarderError.None)
        {
            return true;
        }

        if (outcome.Error != EgressError.None || error == ForwarderError.RequestCreation)
        {
            return false;
        }

        if (error is not (ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestCanceled))
        {
            return true; // body, response and upgrade errors come after the head was sent
        }

        if (NoConnection(context.Features.Get<IForwarderErrorFeature>()?.Exception))
        {
            return false;
        }

        // The request opened its own connection and that connection never finished its handshake.
        return !(outcome.Dialling && !outcome.Established);
    }

    private static bool NoConnection(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return true;
            }

            if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError })
            {
                return true;
            }
        }

        return false;
    }
}
