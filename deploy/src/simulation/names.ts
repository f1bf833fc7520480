/** Name material for the generated people and associations (common French names; no real persons). */

export const FIRST_NAMES = [
  'Camille', 'Léa', 'Manon', 'Chloé', 'Emma', 'Inès', 'Sarah', 'Julie', 'Laura', 'Marie', 'Pauline', 'Clara', 'Anaïs', 'Lucie',
  'Mathilde', 'Élodie', 'Awa', 'Fatoumata', 'Yasmine', 'Nadia', 'Sonia', 'Céline', 'Aurélie', 'Sandrine', 'Nathalie', 'Isabelle',
  'Lucas', 'Hugo', 'Thomas', 'Nicolas', 'Julien', 'Maxime', 'Antoine', 'Alexandre', 'Kevin', 'Mehdi', 'Karim', 'Yanis', 'Rayan',
  'Théo', 'Romain', 'Quentin', 'Florian', 'Benoît', 'Sébastien', 'Christophe', 'Laurent', 'Olivier', 'Moussa', 'Mamadou', 'Jordan',
  'Dylan', 'Loïc', 'Gaëtan', 'Thibaut', 'Mona', 'Océane', 'Margaux', 'Eva', 'Jade',
];

export const LAST_NAMES = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre',
  'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau',
  'Vincent', 'Muller', 'Lefèvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François',
  'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier',
  'Masson', 'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard',
  'Giraud', 'Joly', 'Rivière', 'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Diallo', 'Traoré', 'Nguyen', 'Benali', 'Haddad',
  'Payet', 'Hoarau', 'Grondin', 'Fontaine', 'Jean-Baptiste', 'Saint-Prix', 'Watremez', 'Déquier',
];

export const ASSOCIATION_NAMES = [
  'Espace numérique', 'Centre social', 'Maison des solidarités', 'Foyer rural', 'Familles rurales', 'Maison de quartier',
  'Point information jeunesse', 'Tiers-lieu', 'Régie de quartier', 'Médiathèque associative', 'Maison des services',
  'Cyberbase', 'Atelier numérique', 'Mission locale', 'Union locale', 'Comité d’entraide', 'Maison pour tous',
];

export const ESS_NAMES = ['SCIC', 'SCOP', 'Coopérative', 'Entreprise d’insertion'];

export const CONTACT_TITLES = ['Directrice', 'Directeur', 'Chargée de mission inclusion numérique', 'Chef de projet numérique', 'Secrétaire générale'];

export const ABANDON_REASONS = [
  'La structure renonce au dispositif (courrier du maire).',
  'Le projet n’a pas reçu le cofinancement attendu.',
  'Dossier incomplet après examen complémentaire, sans réponse de la structure.',
];

/** ASCII, lower-case, for e-mail addresses. */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
