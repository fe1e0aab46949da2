namespace Vmm.Sandboxes;

/// <summary>What <c>vmm create</c> was asked for.</summary>
/// <param name="Name">The sandbox name.</param>
/// <param name="Kind">The value of <c>--kind</c>.</param>
/// <param name="KitFiles">The values of <c>--kit</c>: spec.yaml files or kit directories.</param>
/// <param name="WithToken">Give the sandbox a proxy token (<c>--token</c>).</param>
/// <param name="Workdir">A host directory the sandbox may write (<c>--workdir</c>), or null.</param>
internal sealed record CreateRequest(string Name, string Kind, IReadOnlyList<string> KitFiles, bool WithToken, string? Workdir = null);
