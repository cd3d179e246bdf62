import { asList, asRecord, asString, at, fieldPath } from '../access.js';
import { namespaceOf } from '../render.js';
import type { RuleTable } from '../rule.js';

export const RULES: RuleTable = {
  /**
   * An AlertProvider reads its webhook address from a Secret (secretRef), never an inline address;
   * a generated Secret's name must be the one it references.
   */
  'alertprovider.address-or-secret'(render, report) {
    for (const provider of render.ofKind('AlertProvider')) {
      const spec = asRecord(provider.spec) ?? {};
      const secret = asString(at(spec, 'secretRef', 'name'));
      const namespace = namespaceOf(provider);
      // A secretGenerator appends a content hash to the name, and kustomize does not know that
      // AlertProvider.spec.secretRef is a name reference, so the reference stays unhashed.
      const hashed =
        secret && !render.find('Secret', secret, namespace)
          ? render.hashedVariant('Secret', secret, namespace)
          : undefined;
      if (spec.address !== undefined) {
        report(
          provider,
          'spec.address',
          secret
            ? 'set together with secretRef: the CRD allows only one; keep secretRef'
            : 'an inline webhook address is a credential in Git: move it to a Secret and use secretRef',
        );
      } else if (!secret) {
        report(provider, 'spec.secretRef', 'not set: name the Secret holding the address');
      } else if (hashed) {
        report(
          provider,
          'spec.secretRef.name',
          `${secret} does not exist, the generated Secret is ${hashed}: set generatorOptions.disableNameSuffixHash or teach kustomize the reference (configurations: nameReference)`,
        );
      }
    }
  },
  /**
   * Every analysis.alerts entry sets severity (info, warn or error): without it Flagger sends
   * nothing.
   */
  'alerts.severity'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      asList(at(canary, 'spec', 'analysis', 'alerts')).forEach((alert, index) => {
        if (asString(at(alert, 'severity'))) return;
        report(
          canary,
          fieldPath('spec', 'analysis', 'alerts', index, 'severity'),
          'not set: Flagger matches no events without it (info, warn or error)',
        );
      });
    }
  },
  /** analysis.alerts[].providerRef names an AlertProvider of the same render. */
  'alerts.provider-exists'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      asList(at(canary, 'spec', 'analysis', 'alerts')).forEach((alert, index) => {
        const name = asString(at(alert, 'providerRef', 'name')) ?? '';
        const namespace = asString(at(alert, 'providerRef', 'namespace')) ?? namespaceOf(canary);
        if (render.find('AlertProvider', name, namespace)) return;
        report(
          canary,
          fieldPath('spec', 'analysis', 'alerts', index, 'providerRef'),
          `AlertProvider/${name}${namespace ? ` (namespace ${namespace})` : ''} is not in this render`,
        );
      });
    }
  },
};
