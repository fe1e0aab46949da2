using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>A Google service account whose JSON key is exchanged for access tokens at its <c>token_uri</c>.</summary>
/// <param name="Json">Where the service-account JSON is read (a file, usually).</param>
/// <param name="Scopes">The scopes asked for.</param>
public sealed record KitGoogleServiceAccount(KitCredentialSource Json, ImmutableArray<string> Scopes)
{
    /// <summary>The scope asked for when none is written: what Vertex AI and most Google Cloud APIs take.</summary>
    public const string DefaultScope = "https://www.googleapis.com/auth/cloud-platform";
}
