using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>
/// Where on the host the proxy finds one credential (<c>credentials.sources.ID</c>). The value is
/// read at request time and never copied into the sandbox.
/// </summary>
/// <param name="Name">The source id that <see cref="KitNetwork.ServiceDomains"/> and <see cref="KitNetwork.ServiceAuth"/> refer to.</param>
/// <param name="Env">Host environment variables, in priority order; may be empty when <paramref name="File"/> is set.</param>
/// <param name="File">A host file, or null.</param>
/// <param name="Priority">Which of env and file is tried first.</param>
public sealed record KitCredentialSource(string Name, ImmutableArray<string> Env, KitCredentialFile? File, KitCredentialPriority Priority);
