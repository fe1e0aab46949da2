using Gateway.Dialing;

namespace Gateway.Interception;

/// <summary>Carries a failed dial's reason from the connect callback back to the handler, so the client gets 403/502/504 as DESIGN.md's table says.</summary>
internal sealed class UpstreamDialOutcome
{
    /// <summary>Why the dial failed, or <see cref="EgressError.None"/>.</summary>
    public EgressError Error { get; set; }
}
