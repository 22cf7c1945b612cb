// asl-validator ships no type declarations; this is the part we use.
declare module "asl-validator" {
  interface AslError {
    "Error code": string;
    Message: string;
    path?: string;
  }
  export default function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslError[]; errorsText?: (separator?: string) => string };
}
