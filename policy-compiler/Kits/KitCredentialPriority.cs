namespace PolicyCompiler.Kits;

/// <summary>Which place the proxy tries first when a credential source has both env and file.</summary>
public enum KitCredentialPriority : byte
{
    /// <summary>"env-first" (the default): the environment variables, then the file.</summary>
    EnvFirst,

    /// <summary>"file-first": the file, then the environment variables.</summary>
    FileFirst,
}
