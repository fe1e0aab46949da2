namespace PolicyCompiler.Kits;

/// <summary>An AWS key pair (<c>credentials.sources.ID.aws</c>), each part itself an env, file or command value.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials, or null.</param>
public sealed record KitAwsKeys(KitCredentialSource AccessKeyId, KitCredentialSource SecretAccessKey, KitCredentialSource? SessionToken);
