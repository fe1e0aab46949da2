using System.Net;

namespace Gateway.Dialing;

/// <summary>Carries a request's dial from the connect callback back to its handler, so the client gets 403/502/504 as DESIGN.md's table says and the audit says how it left.</summary>
internal sealed class HttpDialOutcome
{
    /// <summary>Why the dial failed, or <see cref="EgressError.None"/>.</summary>
    public EgressError Error { get; set; }

    /// <summary>True when this request opened a connection (false when it used a pooled one).</summary>
    public bool Dialled { get; set; }

    /// <summary>True from the moment this request started a dial of its own.</summary>
    public bool Dialling { get; set; }

    /// <summary>True once the connection this request dialled was up (TLS done, when TLS), so a request could be written on it.</summary>
    public bool Established { get; set; }

    /// <summary>The SOCKS5 proxy the dial went through, or null.</summary>
    public DnsEndPoint? Socks5Proxy { get; set; }
}
