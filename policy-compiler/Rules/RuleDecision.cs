namespace PolicyCompiler.Rules;

/// <summary>What a rule does to the hosts it matches.</summary>
public enum RuleDecision : byte
{
    /// <summary>Let the connection through (unless a deny rule also matches).</summary>
    Allow,

    /// <summary>Refuse the connection, whatever allow rules say.</summary>
    Deny,
}
