using PolicyCompiler.Groups;

namespace Gateway.Configuration;

/// <summary>Policy start-up settings; the rules themselves live in the state directory and kits.</summary>
/// <param name="InitialDefault">The default used when no <c>policy set-default</c> choice was stored yet.</param>
/// <param name="Mode">Enforce, or report denials without refusing them.</param>
internal sealed record PolicyConfig(DefaultPolicy InitialDefault, PolicyMode Mode)
{
    /// <summary><c>policy.ask</c>: holding unmatched requests for an operator's approval.</summary>
    public AskConfig Ask { get; init; } = AskConfig.Disabled;
}
