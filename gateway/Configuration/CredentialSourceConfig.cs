namespace Gateway.Configuration;

/// <summary>
/// One named credential: either a single secret (<paramref name="Secret"/>) or a
/// username/password pair (<paramref name="Username"/> and <paramref name="Password"/>).
/// </summary>
/// <param name="Name">The name kits and <c>upstream.socks5Credential</c> refer to.</param>
/// <param name="Secret">Where the secret is read from, for a single-value source.</param>
/// <param name="Username">Where the user name is read from, for a pair.</param>
/// <param name="Password">Where the password is read from, for a pair.</param>
internal sealed record CredentialSourceConfig(
    string Name, CredentialValueConfig? Secret, CredentialValueConfig? Username, CredentialValueConfig? Password)
{
    /// <summary>True for a username/password pair (what SOCKS5 RFC 1929 needs).</summary>
    public bool IsUsernamePassword => Password is not null;
}
