import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers with a CSP that allows nothing inline: pages carry no script at all and
 * style only from /static, so an injected tag or attribute could not run or restyle anything.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // No upgrade-insecure-requests: TLS ends at the ingress, and the local stack and
        // tests serve plain HTTP, where an upgraded form post would go nowhere.
      },
    },
    // Short links are often private: the target learns nothing about where the click came from.
    referrerPolicy: { policy: 'no-referrer' },
  });
}
