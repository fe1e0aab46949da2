using Gateway.Dialing;

namespace Gateway.Decisions;

/// <summary>What came of a verdict, as the entry point saw it: the answer the client got, the bytes moved, how the dial went.</summary>
/// <param name="Status">The status the client saw (403, 502, 200 …), the DNS RCODE, or 0 when none applies (a TLS alert, a close).</param>
/// <param name="BytesIn">Bytes received from the sandbox.</param>
/// <param name="BytesOut">Bytes sent to the sandbox.</param>
/// <param name="DialError">How the dial failed; <see cref="EgressError.RefusedAddress"/> turns the verdict into an <c>egress-guard</c> block.</param>
/// <param name="ViaSocks5">True when the dial went (or would have gone) through the SOCKS5 proxy.</param>
/// <param name="Injected">The credential source names injected, never values; null when none.</param>
internal readonly record struct EgressOutcome(
    int Status, long BytesIn = 0, long BytesOut = 0, EgressError DialError = EgressError.None, bool ViaSocks5 = false, string? Injected = null)
{
    /// <summary>For an intercepted request: its method; null for a connection.</summary>
    public string? Method { get; init; }

    /// <summary>For an intercepted request: its path with the query string dropped (it may carry secrets); null for a connection.</summary>
    public string? Path { get; init; }

    /// <summary>The outcome of a refusal answered with <paramref name="status"/>.</summary>
    public static EgressOutcome Refused(int status) => new(status);
}
