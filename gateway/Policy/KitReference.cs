namespace Gateway.Policy;

/// <summary>A kit the gateway knows, by name and the path of its spec.yaml.</summary>
/// <param name="Name">The kit name (its spec's <c>name</c>).</param>
/// <param name="Path">Absolute path of the kit's spec.yaml.</param>
internal sealed record KitReference(string Name, string Path);
