namespace Gateway.Credentials;

/// <summary>The real AWS keys of an <c>aws</c> source, for SigV4 re-signing; never logged, never sent as they are.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials, or null.</param>
internal sealed record AwsKeyPair(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    // A record prints its members; a key pair must never reach a log line or an exception message that way.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AccessKeyId = ").Append(AccessKeyId.Length >= 4 ? AccessKeyId[..4] + "…" : "…");
        return true;
    }
}
