using System.Net;
using Vmm.Admin;
using Vmm.Cli;

namespace Vmm.Sandboxes;

/// <summary>
/// Turns the gateway's bound listeners into the ports a sandbox reaches. Every sandbox reaches the
/// gateway on the host end of its own /30, a different address per sandbox, and nftables
/// <c>redirect</c> rewrites the destination to exactly that address: so the transparent and DNS
/// listeners must be bound to the wildcard address, and nftables (not the bind address) decides
/// which sandbox reaches which port.
/// </summary>
internal static class GatewayPortsReader
{
    /// <summary>The ports, or every problem at once.</summary>
    public static GatewayPorts Read(GatewayStatus status, List<string> notes)
    {
        GatewayListeners listeners = status.Listeners
            ?? throw new VmmException("the gateway's /status does not report its listeners; upgrade the gateway");
        var errors = new List<string>();
        int http = Required(listeners.TransparentHttp, "transparentHttp", "0.0.0.0:15080", errors);
        int tls = Required(listeners.TransparentTls, "transparentTls", "0.0.0.0:15443", errors);
        int dns = Required(listeners.Dns, "dns", "0.0.0.0:53", errors);
        if (errors.Count > 0)
        {
            throw new VmmException(string.Join(Environment.NewLine + "vmm: ", errors));
        }

        (int? forward, string? forwardAddress) = Forward(listeners.Forward, notes);
        return new GatewayPorts(http, tls, dns, forward, forwardAddress);
    }

    // Every address: each sandbox reaches it on its own host end. One IPv4 address of the host that
    // is not loopback (the sandbox-facing address): sandboxes reach it there, and nftables opens
    // exactly that address and port. Loopback is the sandbox's own inside its namespace, so a proxy
    // bound there is out of reach, and the sandbox gets no proxy variables.
    private static (int? Port, string? Address) Forward(string? bound, List<string> notes)
    {
        if (!IPEndPoint.TryParse(bound ?? string.Empty, out IPEndPoint? endPoint))
        {
            notes.Add("the gateway's forward proxy is off, so HTTP_PROXY is not set in sandboxes and ports other than 80 and 443 stay closed; "
                + "set listen.forward: 0.0.0.0:3128 (or an address of this host sandboxes may reach) to offer it");
            return (null, null);
        }

        if (IsWildcard(endPoint.Address))
        {
            return (endPoint.Port, null);
        }

        if (endPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(endPoint.Address))
        {
            return (endPoint.Port, endPoint.Address.ToString());
        }

        notes.Add($"the forward proxy listens on {bound}, which sandboxes cannot reach (their loopback is their own, and they speak IPv4 only): "
            + "HTTP_PROXY is not set and ports other than 80 and 443 stay closed; set listen.forward: 0.0.0.0:3128, or an IPv4 address of this host, to offer it");
        return (null, null);
    }

    private static int Required(string? bound, string key, string example, List<string> errors)
    {
        if (bound is null)
        {
            errors.Add($"the gateway has no listen.{key} listener; sandboxes need it: set listen.{key}: {example}");
            return 0;
        }

        if (!IPEndPoint.TryParse(bound, out IPEndPoint? endPoint) || !IsWildcard(endPoint.Address))
        {
            errors.Add($"the gateway's listen.{key} is {bound}; each sandbox reaches it on the host end of its own link, so it must listen on every address: set listen.{key}: {example}");
            return 0;
        }

        return endPoint.Port;
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}
