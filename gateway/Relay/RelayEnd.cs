namespace Gateway.Relay;

/// <summary>Why a tunnel relay ended: the first cause wins, later ones are consequences.</summary>
internal enum RelayEnd
{
    /// <summary>Both directions finished with a FIN (or the client transport closed after the upstream's FIN).</summary>
    Completed,

    /// <summary>No byte moved either way for the idle timeout; both sides were closed.</summary>
    IdleTimeout,

    /// <summary>The client side failed (reset, or its transport stopped taking bytes); the upstream was reset too.</summary>
    ClientReset,

    /// <summary>The upstream socket failed (reset, refused a send); the client transport was completed with the error.</summary>
    UpstreamReset,

    /// <summary>The caller's cancellation token fired; both sides were closed.</summary>
    Cancelled,
}
