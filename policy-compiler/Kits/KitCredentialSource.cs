using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>
/// Where on the host the proxy finds one credential (<c>credentials.sources.ID</c>), or how it mints
/// one. The value is read or minted at request time and never copied into the sandbox. Exactly one
/// kind is declared: env and/or file, <see cref="Command"/>, <see cref="Aws"/>, <see cref="OAuth2"/>,
/// <see cref="GoogleServiceAccount"/> or <see cref="GithubApp"/>.
/// </summary>
/// <param name="Name">The source id that <see cref="KitNetwork.ServiceDomains"/> and <see cref="KitNetwork.ServiceAuth"/> refer to; for a nested value, its key path.</param>
/// <param name="Env">Host environment variables, in priority order; may be empty when <paramref name="File"/> is set.</param>
/// <param name="File">A host file, or null.</param>
/// <param name="Priority">Which of env and file is tried first.</param>
public sealed record KitCredentialSource(string Name, ImmutableArray<string> Env, KitCredentialFile? File, KitCredentialPriority Priority)
{
    /// <summary>A command whose trimmed standard output is the value, or null.</summary>
    public KitCommand? Command { get; init; }

    /// <summary>An AWS key pair, or null.</summary>
    public KitAwsKeys? Aws { get; init; }

    /// <summary>An OAuth2 token minted at a token endpoint, or null.</summary>
    public KitOAuth2? OAuth2 { get; init; }

    /// <summary>A Google service-account access token, or null.</summary>
    public KitGoogleServiceAccount? GoogleServiceAccount { get; init; }

    /// <summary>A GitHub App installation token, or null.</summary>
    public KitGithubApp? GithubApp { get; init; }

    /// <summary>
    /// <c>body: true</c>: placeholders of this source's proxy-managed variables are also replaced in
    /// request bodies sent to its bound hosts (headers and the URL query always are). Only env, file
    /// and command sources have placeholders a body can carry.
    /// </summary>
    public bool Body { get; init; }

    /// <summary>What kind of source this is.</summary>
    public KitSourceKind Kind =>
        Command is not null ? KitSourceKind.Command
        : Aws is not null ? KitSourceKind.Aws
        : OAuth2 is not null ? KitSourceKind.OAuth2
        : GoogleServiceAccount is not null ? KitSourceKind.GoogleServiceAccount
        : GithubApp is not null ? KitSourceKind.GithubApp
        : File is not null && Env.IsDefaultOrEmpty ? KitSourceKind.File
        : KitSourceKind.Env;

    /// <summary>
    /// Every host environment variable this source reads, nested values included: the names a
    /// proxy-managed placeholder may stand for.
    /// </summary>
    public IEnumerable<string> Variables()
    {
        foreach (string name in Env.IsDefault ? [] : Env)
        {
            yield return name;
        }

        KitCredentialSource?[] nested =
        [
            Aws?.AccessKeyId, Aws?.SecretAccessKey, Aws?.SessionToken,
            OAuth2?.ClientId, OAuth2?.ClientSecret, OAuth2?.RefreshToken,
            GoogleServiceAccount?.Json, GithubApp?.PrivateKey,
        ];
        foreach (KitCredentialSource? inner in nested)
        {
            if (inner is not null)
            {
                foreach (string name in inner.Variables())
                {
                    yield return name;
                }
            }
        }
    }
}
