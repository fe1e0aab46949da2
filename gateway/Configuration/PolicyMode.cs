namespace Gateway.Configuration;

/// <summary>Whether denied traffic is stopped or only reported.</summary>
internal enum PolicyMode : byte
{
    /// <summary>Denied connections are refused.</summary>
    Enforce,

    /// <summary>Denied connections pass and are logged as <c>wouldBlock</c>, for rolling a policy out.</summary>
    Report,
}
