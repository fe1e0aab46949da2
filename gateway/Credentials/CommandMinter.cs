using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>A <c>command</c> source: its output, kept for the source's <c>ttl</c>.</summary>
internal sealed class CommandMinter(KitCommand command, TimeProvider time) : CredentialMinter
{
    public override async Task<CredentialResult> MintAsync(CancellationToken cancellationToken)
    {
        (string? value, string? failure) = await CommandRunner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return CredentialResult.Fail(failure!);
        }

        // The TTL is the operator's word on how long the value holds: reuse it all that time, refresh when it ends.
        DateTimeOffset until = time.GetUtcNow() + command.Ttl;
        return new Credential(value, null, until, until).Result;
    }
}
