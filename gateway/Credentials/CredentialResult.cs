namespace Gateway.Credentials;

/// <summary>What asking the broker for a credential came to: the value, or why there is none (names and places, never a value).</summary>
internal readonly struct CredentialResult
{
    public CredentialResult(Credential? value, string? failure, bool missing)
    {
        Value = value;
        Failure = failure;
        Missing = missing;
    }

    /// <summary>The credential; null on failure.</summary>
    public Credential? Value { get; }

    /// <summary>On failure: what failed, for the 502 body and the log, e.g. "the token endpoint https://… answered 401".</summary>
    public string? Failure { get; }

    /// <summary>True when an env or file source simply has no value on the host (the failure says where it looked).</summary>
    public bool Missing { get; }

    public static CredentialResult Fail(string failure) => new(null, failure, missing: false);

    public static CredentialResult NotFound(string looked) => new(null, looked, missing: true);
}
